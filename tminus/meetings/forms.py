"""Forms parse what a person typed; the services decide whether it is allowed."""

from django import forms
from django.conf import settings

from tminus.core.forms import RevisionField
from tminus.meetings.choices import Attendance, MeetingKind, MeetingStatus
from tminus.people.models import Person

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _people(required: bool = False) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(Person.objects.order_by("name"), required=required)


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(choices=MeetingKind.choices)
    title = forms.CharField(max_length=300)
    date = forms.DateField(widget=DATE, required=False)
    start_time = forms.TimeField(widget=TIME, required=False)
    end_time = forms.TimeField(widget=TIME, required=False,
                               help_text="Or give the duration below.")
    duration_minutes = forms.IntegerField(required=False, min_value=1,
                                          label="Duration (minutes)")
    time_zone = forms.CharField(max_length=64, help_text="IANA name such as Europe/Berlin.")
    location = forms.CharField(max_length=300, required=False, label="Place")
    link = forms.URLField(required=False, assume_scheme="https", label="Video link")
    organiser = _people()
    trainer = _people()
    audience = forms.CharField(max_length=300, required=False)
    topics = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             help_text="One per line.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("time_zone", settings.TIME_ZONE)
        super().__init__(*args, **kwargs)


class MeetingCreateForm(MeetingForm):
    agenda = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             help_text="One point per line.")


class MeetingEditForm(MeetingForm):
    revision = RevisionField()
    status = forms.ChoiceField(choices=[(s, label) for s, label in MeetingStatus.choices
                                        if s != MeetingStatus.CANCELLED])


class NotesForm(forms.Form):
    revision = RevisionField()
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    decisions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AttendeeForm(forms.Form):
    person = _people()
    role = forms.CharField(max_length=100, required=False,
                           help_text="Or a role, such as 'Support Lead' or 'QA'.")
    required = forms.BooleanField(required=False, initial=True)


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(choices=Attendance.choices)


class FeedbackForm(forms.Form):
    rating = forms.IntegerField()
    comment = forms.CharField(max_length=2000, required=False)


class AgendaForm(forms.Form):
    text = forms.CharField(max_length=500)


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False)
