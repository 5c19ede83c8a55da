"""Forms parse what a person typed; the services decide whether it is allowed."""

import json

from django import forms

from tminus.people.choices import StakeholderRole
from tminus.people.forms import REVISION, LinesField, person_field
from tminus.readiness.choices import (
    DependencyKind,
    DependencyStatus,
    Impact,
    Outcome,
    Probability,
    RiskStatus,
    Vote,
)
from tminus.readiness.criteria import criterion_kinds
from tminus.readiness.when import parse_when
from tminus.releases.models import Product, Release

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class WhenField(forms.CharField):
    """A date or a T-offset from go-live; cleans to (date, offset)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "A date (YYYY-MM-DD) or an offset from go-live such as "
                                       "T-7d, which moves when go-live moves.")
        super().__init__(max_length=20, required=False, **kwargs)

    def to_python(self, value):
        try:
            return parse_when(super().to_python(value))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class RiskForm(forms.Form):
    revision = REVISION
    description = forms.CharField(max_length=500)
    probability = forms.ChoiceField(choices=Probability.choices)
    impact = forms.ChoiceField(choices=Impact.choices)
    status = forms.ChoiceField(choices=RiskStatus.choices)
    owner = person_field()
    mitigation = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    review = WhenField(label="Review date")


class DependencyForm(forms.Form):
    revision = REVISION
    name = forms.CharField(max_length=300)
    kind = forms.ChoiceField(choices=DependencyKind.choices)
    required_release = forms.ModelChoiceField(
        Release.objects.select_related("product").order_by("key"), required=False,
        to_field_name="key", label="Release needed live",
        help_text="Only for kind 'another release': met once that release is live or closed.")
    status = forms.ChoiceField(choices=DependencyStatus.choices,
                               help_text="Ignored for another release: its own status counts.")
    owner = person_field()
    needed = WhenField(label="Needed by")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ContingencyForm(forms.Form):
    revision = REVISION
    label = forms.CharField(max_length=20, required=False, help_text="A, B, C …")
    name = forms.CharField(max_length=200)
    trigger = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="When this plan is put into action.")
    steps = LinesField(required=False, help_text="One step per line.")
    owner = person_field()


class JSONObjectField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value):
        return json.dumps(value) if isinstance(value, dict) else value

    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            return {}
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(f"Parameters are not valid JSON: {error.msg}.") from None
        if not isinstance(parsed, dict):
            raise forms.ValidationError('Parameters are a JSON object, like {"level": "high"}.')
        return parsed


PARAMS_HELP = ('JSON, by kind: checklist_complete {"scope": "before_go_live" | "all"}; '
               'no_open_risk {"level": "low" | "medium" | "high" | "critical"}; '
               'dependencies_met {"scope": "overdue" | "by_go_live"}; '
               'signoff_discipline {"discipline": "qa"}; signoff_approver {"person_id": 3}.')


class CriterionForm(forms.Form):
    kind = forms.ChoiceField()
    label = forms.CharField(max_length=300, required=False,
                            help_text="Left empty, the kind names it.")
    params = JSONObjectField(required=False, label="Parameters", help_text=PARAMS_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.kind, k.label) for k in criterion_kinds()]


class CriterionEditForm(forms.Form):
    revision = REVISION
    label = forms.CharField(max_length=300, required=False)
    params = JSONObjectField(required=False, label="Parameters", help_text=PARAMS_HELP)
    order = forms.IntegerField(min_value=0)


class VoteForm(forms.Form):
    approver = person_field(required=True)
    vote = forms.ChoiceField(choices=Vote.choices)
    discipline = forms.ChoiceField(choices=[("", "Their stakeholder role"),
                                            *StakeholderRole.choices], required=False)
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                              help_text="Required for a Go with conditions: name them.")

    def clean_discipline(self):
        return self.cleaned_data["discipline"] or None


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices)
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class OverrideForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Why this release may deploy without a Go.")


class FreezeWindowForm(forms.Form):
    revision = REVISION
    name = forms.CharField(max_length=200)
    product = forms.ModelChoiceField(Product.objects.order_by("name"), required=False,
                                     to_field_name="key", empty_label="Every product (global)")
    starts_at = forms.DateTimeField(widget=DATETIME, label="Starts",
                                    help_text="For a repeating window: its first start.")
    ends_at = forms.DateTimeField(widget=DATETIME, label="Ends",
                                  help_text="For a repeating window: the end of its first "
                                            "stretch; every stretch lasts as long.")
    rrule = forms.CharField(max_length=500, required=False, label="Repeats (RRULE)",
                            help_text="Empty for a one-off window. Every Friday: "
                                      "FREQ=WEEKLY;BYDAY=FR")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
