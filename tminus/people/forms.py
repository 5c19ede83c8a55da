"""Forms parse what a person typed; the services decide whether it is allowed."""

from django import forms

from tminus.accounts.models import User
from tminus.core.forms import RevisionField
from tminus.people.choices import Accountability, StakeholderRole
from tminus.people.durations import format_duration, parse_duration
from tminus.people.models import Person

REVISION = RevisionField()


def person_field(required: bool = False, label: str | None = None) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(Person.objects.order_by("name"), required=required,
                                  label=label)


class DurationField(forms.CharField):
    """'4h', '1d 12h', '30m' as a number of minutes."""

    MAX_LENGTH = 40

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Like 30m, 4h, 2d or 1w.")
        # No max_length: its validator would run on the parsed minutes (an int) and fail with
        # a TypeError; the text's length is checked here, before parsing.
        super().__init__(**kwargs)
        self.widget.attrs["maxlength"] = str(self.MAX_LENGTH)

    def prepare_value(self, value):
        return format_duration(value) if isinstance(value, int) else value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        if len(value) > self.MAX_LENGTH:
            raise forms.ValidationError(f"Write it in at most {self.MAX_LENGTH} characters.")
        try:
            return parse_duration(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class LinesField(forms.CharField):
    """A text area whose non-empty lines become a list."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class PersonForm(forms.Form):
    revision = REVISION
    name = forms.CharField(max_length=200)
    title = forms.CharField(max_length=200, required=False, help_text="Job title, e.g. QA Lead.")
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=50, required=False)
    organisation = forms.CharField(max_length=200, required=False)
    user = forms.ModelChoiceField(User.objects.filter(is_active=True).order_by("username"),
                                  required=False, to_field_name="username",
                                  label="Sign-in account",
                                  help_text="Link the account this person signs in with.")


class StakeholderForm(forms.Form):
    revision = REVISION
    person = person_field(required=True)
    role = forms.ChoiceField(choices=StakeholderRole.choices, label="Role / discipline")
    accountability = forms.ChoiceField(choices=Accountability.choices)
    responsible_for = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                      label="Responsible or accountable for")
    is_approver = forms.BooleanField(required=False, label="Approver at the go/no-go meeting")


class SupportTierForm(forms.Form):
    revision = REVISION
    level = forms.IntegerField(min_value=1, max_value=9)
    name = forms.CharField(max_length=200, help_text="First line, Technical, Development …")
    response_minutes = DurationField(label="Response target")
    resolution_minutes = DurationField(label="Resolution target", required=False)
    resolution_note = forms.CharField(max_length=300, required=False,
                                      help_text="E.g. immediate for critical issues.")
    handles = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                              help_text="What this tier handles, one per line.")
    contact = person_field()


class EscalationStepForm(forms.Form):
    revision = REVISION
    from_party = forms.CharField(max_length=200, label="From")
    to_party = forms.CharField(max_length=200, label="To")
    condition = forms.CharField(max_length=300, required=False,
                                help_text="E.g. if support cannot resolve it.")
    contact = person_field()


class EscalationStepEditForm(EscalationStepForm):
    order = forms.IntegerField(min_value=1, label="Step number")


class OnCallShiftForm(forms.Form):
    revision = REVISION
    week = forms.IntegerField(help_text="Week 1 starts on go-live day.")
    primary = person_field()
    secondary = person_field()
