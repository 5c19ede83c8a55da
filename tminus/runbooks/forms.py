"""Forms parse what a person typed; the services decide what is allowed.

Choices (owners, phases, criteria, steps) are handed in by the view, which reads them once, so a
page with many forms still runs a fixed number of queries.
"""

from django import forms

from tminus.accounts.models import User
from tminus.core.forms import RevisionField
from tminus.people.models import Person
from tminus.runbooks.choices import Stage

MINUTES = {"min_value": 0, "max_value": 10080, "required": False}


def owner_choices() -> list:
    """Everyone who can own a step: people of the plan, then users who sign in."""
    people = [(f"person:{p.pk}", p.name) for p in Person.objects.order_by("name")]
    users = [(f"user:{u.username}", str(u))
             for u in User.objects.filter(is_active=True).order_by("username")]
    return [("", "—"), ("People", people), ("Users", users)]


def owner_initial(row) -> str:
    if row.owner_person_id:
        return f"person:{row.owner_person_id}"
    if row.owner_user_id:
        return f"user:{row.owner_user.username}"
    return ""


class OwnerField(forms.ChoiceField):
    """'person:3' or 'user:maria' as (person, user); empty is no owner."""

    def clean(self, value):
        value = super().clean(value)
        kind, _, ident = (value or "").partition(":")
        if kind == "person":
            person = Person.objects.filter(pk=ident).first() if ident.isdigit() else None
            if person is None:
                raise forms.ValidationError("That person no longer exists.")
            return person, None
        if kind == "user":
            user = User.objects.filter(username=ident, is_active=True).first()
            if user is None:
                raise forms.ValidationError("That user no longer exists.")
            return None, user
        return None, None


class _OwnedForm(forms.Form):
    owner = OwnerField(required=False)

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners

    def values(self) -> dict:
        """cleaned_data with the owner split into owner_person and owner_user."""
        data = dict(self.cleaned_data)
        data.pop("revision", None)
        data["owner_person"], data["owner_user"] = data.pop("owner")
        return data


class PhaseForm(_OwnedForm):
    revision = RevisionField()
    name = forms.CharField(max_length=200)
    stage = forms.ChoiceField(choices=Stage.choices, initial=Stage.EXECUTION)
    expected_minutes_min = forms.IntegerField(label="Expected minutes (low)", **MINUTES)
    expected_minutes_max = forms.IntegerField(label="Expected minutes (high)", **MINUTES)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    field_order = ["name", "stage", "expected_minutes_min", "expected_minutes_max", "owner",
                   "description"]


class StepForm(_OwnedForm):
    revision = RevisionField()
    title = forms.CharField(max_length=300)
    group = forms.CharField(max_length=200, required=False,
                            help_text="Optional heading within the phase, such as "
                                      "'Immediate checks (5 minutes)'.")
    expected_minutes = forms.IntegerField(**MINUTES)
    command = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "class": "mono"}),
                              required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    field_order = ["title", "group", "owner", "expected_minutes", "command", "notes"]


class StepAddForm(StepForm):
    phase = forms.TypedChoiceField(coerce=int)
    field_order = ["phase", *StepForm.field_order]

    def __init__(self, *args, phases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = [(p.pk, p.name) for p in phases]


class MoveForm(forms.Form):
    position = forms.IntegerField(min_value=0)


class DeploymentStartForm(forms.Form):
    environment = forms.CharField(max_length=100, required=False,
                                  help_text="Where it is deployed, such as production.")
    override_freeze = forms.BooleanField(required=False, label="Override a freeze window")
    reason = forms.CharField(max_length=500, required=False,
                             help_text="Needed when overriding a freeze window.")


class DeploymentFinishForm(forms.Form):
    environment = forms.CharField(max_length=100, required=False)
    notes = forms.CharField(max_length=2000, required=False)


class DeploymentFailForm(forms.Form):
    reason = forms.CharField(max_length=2000, required=False)


class StepActionForm(forms.Form):
    notes = forms.CharField(max_length=2000, required=False)
    outcome = forms.ChoiceField(choices=[("succeeded", "Success"), ("failed", "Failed")],
                                required=False)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class RollbackPlanForm(forms.Form):
    revision = RevisionField()
    immediate_criteria = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}),
                                         required=False, label="Roll back now when",
                                         help_text="One criterion a line.")
    consider_criteria = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}),
                                        required=False, label="Consider rolling back when",
                                        help_text="One criterion a line.")
    communication = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False,
                                    label="Communication during a rollback",
                                    help_text="One action a line.")
    estimated_minutes = forms.IntegerField(label="Estimated rollback time (minutes)", **MINUTES)

    def changes(self) -> dict:
        data = self.cleaned_data
        return {"immediate_criteria": _lines(data["immediate_criteria"]),
                "consider_criteria": _lines(data["consider_criteria"]),
                "communication": _lines(data["communication"]),
                "estimated_minutes": data["estimated_minutes"]}


class RollbackStepForm(_OwnedForm):
    revision = RevisionField()
    title = forms.CharField(max_length=300)
    expected_minutes = forms.IntegerField(**MINUTES)
    command = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "class": "mono"}),
                              required=False)
    field_order = ["title", "owner", "expected_minutes", "command"]


class TeamMemberForm(forms.Form):
    person = forms.TypedChoiceField(coerce=int)
    role = forms.CharField(max_length=100, required=False,
                           widget=forms.TextInput(attrs={"placeholder": "Role: Lead, Database, "
                                                                        "DevOps ..."}))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, p.name) for p in people]


class RollbackExecuteForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                             label="Why roll back")
    criterion = forms.ChoiceField(required=False, label="Decision criterion met")
    steps_done = forms.TypedMultipleChoiceField(coerce=int, required=False,
                                                widget=forms.CheckboxSelectMultiple,
                                                label="Steps carried out")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        criteria = [*plan.immediate_criteria, *plan.consider_criteria] if plan else []
        self.fields["criterion"].choices = [("", "—"), *[(c, c) for c in criteria]]
        steps = list(plan.steps.all()) if plan else []
        self.fields["steps_done"].choices = [(s.pk, s.title) for s in steps]
        self.fields["steps_done"].initial = [s.pk for s in steps]
