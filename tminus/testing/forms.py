"""Forms parse what a person typed; the services decide whether it is allowed."""

from django import forms

from tminus.accounts.models import User
from tminus.core.forms import RevisionField
from tminus.testing.choices import Outcome, TestKind

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"})


def _environment_choices(environments, blank: str | None = None) -> list:
    choices = [(e.key, e.name) for e in environments]
    return [("", blank), *choices] if blank is not None else choices


class PlanForm(forms.Form):
    revision = RevisionField()
    approach = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                               label="Approach and environments")
    test_data = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                label="Test data")


class CaseForm(forms.Form):
    title = forms.CharField(max_length=500)
    kind = forms.ChoiceField(choices=TestKind.choices, initial=TestKind.UAT)
    environment = forms.ChoiceField(required=False)
    steps = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    expected = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                               label="Expected result")
    owner = forms.ModelChoiceField(User.objects.filter(is_active=True).order_by("username"),
                                   required=False, to_field_name="username")

    def __init__(self, *args, environments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["environment"].choices = _environment_choices(environments, "(any)")


class RunForm(forms.Form):
    environment = forms.ChoiceField()
    name = forms.CharField(max_length=300, required=False,
                           help_text="Such as 'UAT session 1'; made from the date if empty.")
    evidence_link = forms.URLField(required=False, assume_scheme="https")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, environments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["environment"].choices = _environment_choices(environments)


class UploadForm(forms.Form):
    file = forms.FileField(label="JUnit XML file")
    environment = forms.ChoiceField()
    kind = forms.ChoiceField(choices=[("", "(unit, for new cases)"), *TestKind.choices],
                             required=False, label="Kind of new cases")

    def __init__(self, *args, environments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["environment"].choices = _environment_choices(environments)


class ResultForm(forms.Form):
    case_id = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(choices=Outcome.choices)
    evidence_link = forms.URLField(required=False, assume_scheme="https")
    notes = forms.CharField(max_length=2000, required=False)


class LoadTestForm(forms.Form):
    environment = forms.ChoiceField()
    scenario = forms.CharField(max_length=300)
    requests_per_second = forms.FloatField(min_value=0)
    p95_latency_ms = forms.FloatField(min_value=0, label="p95 latency (ms)")
    error_rate_percent = forms.FloatField(min_value=0, max_value=100, label="Error rate (%)")
    target_requests_per_second = forms.FloatField(min_value=0, required=False)
    target_p95_latency_ms = forms.FloatField(min_value=0, required=False,
                                             label="Target p95 latency (ms)")
    target_error_rate_percent = forms.FloatField(min_value=0, max_value=100, required=False,
                                                 label="Target error rate (%)")
    evidence_link = forms.URLField(required=False, assume_scheme="https")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, environments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["environment"].choices = _environment_choices(environments)


class TrendFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "All kinds"), *TestKind.choices], required=False)
