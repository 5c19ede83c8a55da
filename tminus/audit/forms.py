from django import forms

from tminus.core.actors import INTERFACES


class AuditFilterForm(forms.Form):
    kind = forms.CharField(required=False, max_length=80,
                           widget=forms.TextInput(attrs={"placeholder": "flag.toggle or flag"}))
    object = forms.CharField(required=False, max_length=255,
                             widget=forms.TextInput(attrs={"placeholder": "name or id"}))
    actor = forms.CharField(required=False, max_length=150)
    interface = forms.ChoiceField(required=False, choices=[("", "any interface"), *INTERFACES])
    project = forms.CharField(required=False, max_length=100)
    environment = forms.CharField(required=False, max_length=100)
    since = forms.DateTimeField(required=False)
    until = forms.DateTimeField(required=False)
