"""Forms parse what a person typed; the services (and the engine's validators) decide."""

import json

from django import forms

from tminus.accounts.models import User
from tminus.accounts.roles import ADMIN, ROLE_CHOICES
from tminus.flags.choices import STRATEGY_LABELS, FlagType
from tminus.flags.models import Segment
from tminus.releases.models import Release

OPERATORS = ["IN", "NOT_IN", "STR_CONTAINS", "STR_STARTS_WITH", "STR_ENDS_WITH", "NUM_EQ",
             "NUM_GT", "NUM_GTE", "NUM_LT", "NUM_LTE", "DATE_AFTER", "DATE_BEFORE", "SEMVER_EQ",
             "SEMVER_GT", "SEMVER_GTE", "SEMVER_LT", "SEMVER_LTE", "REGEX", "IN_CIDR"]
# Operators that compare against one value rather than a list.
SINGLE_VALUE = {"NUM_EQ", "NUM_GT", "NUM_GTE", "NUM_LT", "NUM_LTE", "DATE_AFTER", "DATE_BEFORE",
                "SEMVER_EQ", "SEMVER_GT", "SEMVER_GTE", "SEMVER_LT", "SEMVER_LTE", "REGEX"}
# Strategy parameters: (Unleash parameter, form field) per strategy.
PARAMETERS = {
    "default": [],
    "flexibleRollout": [("rollout", "rollout"), ("stickiness", "stickiness"),
                        ("groupId", "group_id")],
    "userWithId": [("userIds", "user_ids")],
    "remoteAddress": [("IPs", "ips")],
    "applicationHostname": [("hostNames", "host_names")],
    "gradualRolloutUserId": [("percentage", "percentage"), ("groupId", "group_id")],
    "gradualRolloutSessionId": [("percentage", "percentage"), ("groupId", "group_id")],
    "gradualRolloutRandom": [("percentage", "percentage")],
}


def _users():
    return forms.ModelChoiceField(User.objects.filter(is_active=True).order_by("username"),
                                  required=False, to_field_name="username")


class ProjectForm(forms.Form):
    key = forms.CharField(max_length=100, help_text="Used in tokens and URLs, e.g. shop.")
    name = forms.CharField(max_length=200, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class EnvironmentForm(forms.Form):
    key = forms.CharField(max_length=100, help_text="e.g. qa or eu-production.")
    name = forms.CharField(max_length=200, required=False)


class FlagCreateForm(forms.Form):
    key = forms.CharField(max_length=255, label="Name",
                          help_text="What code asks for: is_enabled('new-checkout').")
    flag_type = forms.ChoiceField(choices=FlagType.choices, label="Type")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    owner = _users()
    release = forms.ModelChoiceField(Release.objects.order_by("key"), required=False,
                                     to_field_name="key")


class FlagEditForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    flag_type = forms.ChoiceField(choices=FlagType.choices, label="Type")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    owner = _users()
    release = forms.ModelChoiceField(Release.objects.order_by("key"), required=False,
                                     to_field_name="key", label="Linked release")
    impression_data = forms.BooleanField(required=False)
    stale = forms.BooleanField(required=False, label="Marked stale")
    tags = forms.CharField(required=False, help_text="Comma-separated, e.g. team:payments, "
                                                     "checkout.")


class JsonListField(forms.CharField):
    """A JSON list typed into a text area; the engine checks what is inside."""

    widget = forms.Textarea(attrs={"rows": 4, "class": "code"})

    def to_python(self, value):
        text = (super().to_python(value) or "").strip()
        if not text:
            return []
        try:
            parsed = json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(f"This is not JSON: {error}.") from None
        if not isinstance(parsed, list):
            raise forms.ValidationError("Write a JSON list: [ ... ].")
        return parsed


CUSTOM = "custom"


def parameter_lines(text: str) -> dict[str, str]:
    """`name=value`, one a line, as a custom strategy's parameters."""
    parameters = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise forms.ValidationError(f"Line {number} is not name=value.")
        parameters[name.strip()] = value.strip()
    return parameters


class StrategyForm(forms.Form):
    name = forms.ChoiceField(choices=[*STRATEGY_LABELS.items(),
                                      (CUSTOM, "Custom strategy (implemented in your SDKs)")],
                             label="Strategy")
    custom_name = forms.CharField(max_length=100, required=False, label="Custom strategy name",
                                  help_text="The name your SDKs register it under. SDKs that "
                                            "do not register it evaluate it as off.")
    custom_parameters = forms.CharField(
        required=False, label="Parameters", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="name=value, one a line; served to SDKs as text.")
    title = forms.CharField(max_length=200, required=False)
    rollout = forms.CharField(required=False, initial="100", label="Rollout %",
                              help_text="0 to 100. Users inside at 10% stay inside at 50%.")
    stickiness = forms.CharField(required=False, initial="default",
                                 help_text="default, userId, sessionId, random, or any context "
                                           "field.")
    group_id = forms.CharField(required=False, label="Group ID",
                               help_text="Flags with the same group ID put a user in the same "
                                         "bucket; defaults to the flag name.")
    user_ids = forms.CharField(required=False, label="User IDs",
                               widget=forms.Textarea(attrs={"rows": 2}),
                               help_text="Comma-separated.")
    ips = forms.CharField(required=False, label="IP addresses",
                          help_text="Comma-separated addresses or CIDR ranges.")
    host_names = forms.CharField(required=False, label="Hostnames", help_text="Comma-separated.")
    percentage = forms.CharField(required=False, label="Percentage (legacy strategies)")
    segments = forms.ModelMultipleChoiceField(Segment.objects.order_by("name"), required=False)
    variants = JsonListField(required=False, label="Strategy variants (JSON)",
                             help_text='e.g. [{"name": "blue", "weight": 1000, "stickiness": '
                                       '"default", "payload": {"type": "string", "value": '
                                       '"b"}}]')
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if data.get("name") == CUSTOM:
            if not (data.get("custom_name") or "").strip():
                self.add_error("custom_name", "Name the custom strategy.")
            else:
                data["name"] = data["custom_name"].strip()
            try:
                data["custom_parameters"] = parameter_lines(data.get("custom_parameters") or "")
            except forms.ValidationError as error:
                self.add_error("custom_parameters", error)
        return data

    def parameters(self, flag_key: str) -> dict:
        data = self.cleaned_data
        if data["name"] not in PARAMETERS:
            return data["custom_parameters"]
        parameters = {}
        for parameter, field in PARAMETERS.get(data["name"], []):
            value = (data.get(field) or "").strip()
            if field == "user_ids":
                value = ",".join(part.strip() for part in value.replace("\n", ",").split(",")
                                 if part.strip())
            if field == "group_id" and not value:
                value = flag_key
            parameters[parameter] = value
        return parameters

    @classmethod
    def initial_for(cls, strategy) -> dict:
        initial = {"name": strategy.name, "title": strategy.title,
                   "revision": strategy.revision,
                   "segments": [s for s in strategy.segments if isinstance(s, int) and s > 0],
                   "variants": json.dumps(strategy.variants, indent=1) if strategy.variants
                   else ""}
        for parameter, field in PARAMETERS.get(strategy.name, []):
            initial[field] = strategy.parameters.get(parameter, "")
        if strategy.name not in PARAMETERS:
            initial.update(name=CUSTOM, custom_name=strategy.name, custom_parameters="\n".join(
                f"{key}={value}" for key, value in strategy.parameters.items()))
        return initial


class ConstraintForm(forms.Form):
    context_name = forms.CharField(max_length=100, required=False, label="Context field",
                                   help_text="userId, appName, or a custom property.")
    operator = forms.ChoiceField(choices=[(o, o) for o in OPERATORS], initial="IN")
    values = forms.CharField(required=False, help_text="Comma-separated (or the single value).")
    inverted = forms.BooleanField(required=False, label="NOT")
    case_insensitive = forms.BooleanField(required=False, label="Ignore case")

    def constraint(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("context_name") or data.get("DELETE"):
            return None
        text = data.get("values") or ""
        constraint = {"contextName": data["context_name"].strip(),
                      "operator": data["operator"], "inverted": data["inverted"],
                      "caseInsensitive": data["case_insensitive"]}
        if data["operator"] in SINGLE_VALUE:
            constraint["value"] = text.strip()
        else:
            constraint["values"] = [v.strip() for v in text.split(",") if v.strip()]
        return constraint

    @staticmethod
    def initial_for(constraint: dict) -> dict:
        values = constraint.get("values") or []
        return {"context_name": constraint.get("contextName", ""),
                "operator": constraint.get("operator", "IN"),
                "values": constraint.get("value") or ", ".join(str(v) for v in values),
                "inverted": bool(constraint.get("inverted")),
                "case_insensitive": bool(constraint.get("caseInsensitive"))}


ConstraintFormSet = forms.formset_factory(ConstraintForm, extra=2, can_delete=True)


class VariantsForm(forms.Form):
    # The environment state's revision the form was shown at; the view refuses a form without.
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    variants = JsonListField(required=False, label="Variants (JSON)",
                             help_text='[{"name": "a", "weight": 500, "weightType": "variable", '
                                       '"stickiness": "default", "payload": {"type": "json", '
                                       '"value": "{}"}, "overrides": [{"contextName": "userId", '
                                       '"values": ["42"]}]}]')


class SegmentForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False)
    constraints = JsonListField(label="Constraints (JSON)",
                                help_text='[{"contextName": "country", "operator": "IN", '
                                          '"values": ["NO", "SE"]}]')


class DependencyForm(forms.Form):
    parent = forms.ChoiceField(label="Parent flag")
    enabled = forms.TypedChoiceField(choices=[("true", "is on"), ("false", "is off")],
                                     coerce=lambda v: v == "true", initial="true",
                                     label="Only when the parent")
    variants = forms.CharField(required=False, help_text="Only for these parent variants "
                                                         "(comma-separated, optional).")

    def __init__(self, *args, parents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [(key, key) for key in parents]


class WhoGetsWhatForm(forms.Form):
    userId = forms.CharField(required=False, label="User ID")
    sessionId = forms.CharField(required=False, label="Session ID")
    remoteAddress = forms.CharField(required=False, label="IP address")
    appName = forms.CharField(required=False, label="App name")
    currentTime = forms.CharField(required=False, label="Time (ISO 8601)")
    hostname = forms.CharField(required=False, label="SDK hostname")
    properties = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text="One name=value a line, e.g. country=NO.")


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=[("client", "Backend (server SDKs)"),
                                      ("frontend", "Frontend (browsers, phones)"),
                                      ("ingest", "Metrics ingestion (events from services)")])
    projects = forms.CharField(help_text="Project keys, comma-separated; * for every project.")
    environment = forms.CharField(max_length=100, initial="production")


class RoleRuleForm(forms.Form):
    """Who may change flags of a project, per role and environment."""

    CHOICE_VALUES = {"default": None, "allow": True, "deny": False}

    role = forms.ChoiceField(choices=[(role, label) for role, label in ROLE_CHOICES
                                      if role != ADMIN])
    environment = forms.ChoiceField(required=False)
    may_change = forms.ChoiceField(label="May change flags", choices=[
        ("allow", "Yes"), ("deny", "No"), ("default", "As the role's default")])

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["environment"].choices = [("", "Every environment")] + [
            (env.key, env.name) for env in project.environments.all()]


class ScheduleForm(forms.Form):
    """Switch a flag on or off at a moment in a time zone."""

    enabled = forms.ChoiceField(label="Switch", choices=[("on", "on"), ("off", "off")])
    at = forms.CharField(max_length=40, help_text="2027-03-12 09:00")
    time_zone = forms.CharField(max_length=64, required=False,
                                help_text="Europe/Oslo; empty for the server's time zone")
    reason = forms.CharField(max_length=500, required=False)
