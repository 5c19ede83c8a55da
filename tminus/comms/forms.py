"""Forms parse what a person typed; the services decide whether it is allowed."""

from django import forms

from tminus.comms.builtin_messages import TEMPLATES
from tminus.comms.choices import EMAIL, ChannelKind, DeliveryPurpose, DeliveryStatus, Trigger
from tminus.comms.models import DEFAULT_SEND_TIME, Channel
from tminus.core.events import EVENTS
from tminus.core.forms import RevisionField
from tminus.core.offsets import format_offset, parse_offset

AUDIENCE_HELP = ("One per line: an email address, owner, stakeholders, a discipline "
                 "(development, qa, operations, customer_support, marketing ...), a T-Minus "
                 "role (release_manager ...), person:<id> or user:<username>. "
                 "Ignored for webhook channels.")


def channel_choices() -> list[tuple[str, str]]:
    channels = Channel.objects.order_by("name").values_list("key", "name", "kind")
    return [(EMAIL, "Email (SMTP)"), *[(key, f"{name} ({kind})") for key, name, kind in channels]]


class MessageForm(forms.Form):
    revision = RevisionField()
    template_key = forms.CharField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(max_length=200, required=False,
                           help_text="How the plan lists it; the subject when empty.")
    subject = forms.CharField(max_length=300)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}))
    channel = forms.ChoiceField()
    audience = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                               help_text=AUDIENCE_HELP)
    trigger = forms.ChoiceField(choices=Trigger.choices, widget=forms.RadioSelect,
                                initial=Trigger.TIME, label="Send")
    at = forms.CharField(max_length=20, required=False, label="At (T-offset)",
                         help_text="Relative to go-live, e.g. T-28d, T-0, T+7d; follows go-live "
                                   "when it moves.")
    send_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                label="Or on a fixed date")
    send_time = forms.TimeField(required=False, initial=DEFAULT_SEND_TIME,
                                widget=forms.TimeInput(attrs={"type": "time"}),
                                label="Time of day")
    event = forms.ChoiceField(required=False, label="On the event",
                              choices=[("", "—"), *EVENTS.items()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = channel_choices()

    def clean_at(self):
        text = self.cleaned_data.get("at", "").strip()
        if not text:
            return None
        try:
            return parse_offset(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def service_values(self) -> dict:
        """The form's values as message_create / message_update arguments."""
        data = self.cleaned_data
        values = {
            "name": data["name"], "subject": data["subject"], "body": data["body"],
            "channel": data["channel"], "trigger": data["trigger"],
            "audience": [line.strip() for line in data["audience"].splitlines()
                         if line.strip()],
        }
        if data["trigger"] == Trigger.EVENT:
            values["event"] = data["event"]
        else:
            values["offset"] = data["at"]
            values["send_date"] = None if data["at"] is not None else data["send_date"]
            values["send_time"] = data["send_time"]
        return values

    @staticmethod
    def initial_for(message) -> dict:
        return {
            "revision": message.revision, "name": message.name, "subject": message.subject,
            "body": message.body, "channel": message.channel.key if message.channel else EMAIL,
            "audience": "\n".join(message.audience), "trigger": message.trigger,
            "at": format_offset(message.send_offset),
            "send_date": message.send_date if message.send_offset is None else None,
            "send_time": message.send_time, "event": message.event,
            "template_key": message.template_key,
        }

    @staticmethod
    def initial_from_template(key: str) -> dict:
        template = TEMPLATES.get(key)
        if template is None:
            return {}
        return {"name": template["name"], "subject": template["subject"],
                "body": template["body"], "template_key": key, "audience": "stakeholders\nowner"}


class ChannelForm(forms.Form):
    revision = RevisionField()
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=ChannelKind.choices)
    url = forms.CharField(max_length=500, label="Webhook URL",
                          help_text="http:// or https:// only.")
    enabled = forms.BooleanField(required=False, initial=True)
    secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False),
                             label="Signing secret",
                             help_text="JSON webhooks: signs each post with HMAC-SHA256. Leave "
                                       "empty to keep the current one.")
    generate_secret = forms.BooleanField(required=False, label="Generate a new secret "
                                                                "(shown once)")
    clear_secret = forms.BooleanField(required=False, label="Stop signing (remove the secret)")


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(required=False,
                               choices=[("", "All statuses"), *DeliveryStatus.choices])
    purpose = forms.ChoiceField(required=False,
                                choices=[("", "Messages and reminders"),
                                         *DeliveryPurpose.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():  # a compact filter row shows no labels
            field.widget.attrs.setdefault("aria-label", name.capitalize())

class FlagSubscriptionForm(forms.Form):
    channel = forms.ChoiceField(required=False, label="Channel",
                                help_text="Or leave empty and give an email address.")
    email = forms.EmailField(required=False)
    project = forms.CharField(required=False, max_length=100,
                              help_text="A flag project's key; empty for every project.")
    environment = forms.CharField(required=False, max_length=100,
                                  help_text="An environment's key; empty for every one.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", "(email)")] + [
            (channel.key, channel.name) for channel in Channel.objects.all()]
