"""Forms parse what a person typed; the services decide whether it is allowed."""

from django import forms

from tminus.accounts.models import User
from tminus.core.forms import RevisionField
from tminus.documents.choices import DocumentKind, DocumentStatus, LinkKind

DATE = forms.DateInput(attrs={"type": "date"})


def _owner_field():
    return forms.ModelChoiceField(User.objects.filter(is_active=True).order_by("username"),
                                  required=False, to_field_name="username")


class DocumentForm(forms.Form):
    title = forms.CharField(max_length=300)
    kind = forms.ChoiceField(choices=DocumentKind.choices)
    owner = _owner_field()
    due_date = forms.DateField(widget=DATE, required=False)
    status = forms.ChoiceField(choices=DocumentStatus.choices)
    link = forms.URLField(required=False, assume_scheme="https")
    required = forms.BooleanField(required=False, initial=True)


class DocumentEditForm(DocumentForm):
    revision = RevisionField()


class LinkForm(forms.Form):
    label = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=LinkKind.choices)
    url = forms.URLField(required=False, assume_scheme="https")
