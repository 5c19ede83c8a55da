"""Forms parse what a person typed; the outcomes services decide whether it is allowed."""

from django import forms

from tminus.accounts.models import User
from tminus.core.forms import RevisionField
from tminus.outcomes.models import Lesson
from tminus.outcomes.sources import kpi_sources

DATE = forms.DateInput(attrs={"type": "date"})


def _people(required=False, label="Owner"):
    return forms.ModelChoiceField(User.objects.filter(is_active=True).order_by("username"),
                                  required=required, to_field_name="username", label=label)


class KpiForm(forms.Form):
    target = forms.CharField(
        max_length=300, help_text="As you would write it: '500+ registered users in the first "
        "month', '95% uptime', 'page load under 2 s', '< 500ms'.")
    name = forms.CharField(max_length=200, required=False,
                           help_text="Made from the target when empty.")
    source = forms.ChoiceField()
    query = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                            help_text="For Prometheus: a PromQL query that gives one number in "
                            "the target's unit.")
    source_url = forms.CharField(required=False, max_length=500, label="Server URL",
                                 help_text="Only when this KPI uses another Prometheus server.")
    schedule = forms.CharField(required=False, max_length=200, label="Check-in schedule",
                               help_text="Empty for the default (daily in week 1, weekly in "
                               "month 1); e.g. 'daily:7, weekly:4' or 'none'.")
    owner = _people()

    def __init__(self, *args, with_start=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(s.key, s.label) for s in kpi_sources()]
        if with_start:
            self.fields["starts_on"] = forms.DateField(
                required=False, widget=DATE, label="Check-ins start on",
                help_text="The day this roadmap KPI is counted from.")


class KpiEditForm(KpiForm):
    revision = RevisionField()


class CheckinForm(forms.Form):
    value = forms.CharField(max_length=50, help_text="In the KPI's unit, e.g. 99.95%, 1.4 s, 520.")
    # The service checks the slot, so a slot that fell due after the page loaded still works.
    slot = forms.CharField(required=False, label="Check-in", widget=forms.Select)
    note = forms.CharField(max_length=500, required=False)

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].widget.choices = [("", "Extra reading (now)"),
                                              *[(s.key, s.label) for s in slots]]


class CorrectForm(forms.Form):
    value = forms.CharField(max_length=50)
    revision = RevisionField()
    note = forms.CharField(max_length=500, required=False)


class QuestionForm(forms.Form):
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    revision = RevisionField()


class LessonForm(forms.Form):
    kind = forms.ChoiceField(choices=Lesson.KINDS)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class SignForm(forms.Form):
    comment = forms.CharField(max_length=500, required=False)


class AssignForm(forms.Form):
    assignee = _people(label="Signs")
    revision = RevisionField()


class SignoffRoleForm(forms.Form):
    role = forms.CharField(required=False)  # the service names what is wrong with it
    assignee = _people(label="Signs")


class SaveTemplateForm(forms.Form):
    name = forms.CharField(max_length=200)
    key = forms.CharField(max_length=60, required=False,
                          help_text="Made from the name when empty.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
