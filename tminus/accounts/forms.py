"""Account forms: what an admin types to give a person a sign-in or change it."""

from django import forms

from tminus.accounts.roles import ROLE_CHOICES, VIEWER
from tminus.core.forms import RevisionField
from tminus.people.models import Person


class AccountCreateForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="What they type to sign in.")
    display_name = forms.CharField(max_length=150, required=False, label="Name")
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial=VIEWER)
    person = forms.ModelChoiceField(
        Person.objects.filter(user__isnull=True).order_by("name"), required=False,
        label="Person on the plans",
        help_text="The person this account is: their items, votes and approvals become theirs.")
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False), required=False, strip=False,
        help_text="Leave empty to get a temporary password, shown once, to hand over.")


class AccountEditForm(forms.Form):
    revision = RevisionField()
    display_name = forms.CharField(max_length=150, required=False, label="Name")
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=ROLE_CHOICES)
    is_active = forms.BooleanField(required=False, label="May sign in",
                                   help_text="Turn off to end their sign-in and API tokens.")
