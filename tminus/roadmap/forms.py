"""Forms parse what a person typed; the roadmap services decide whether it is allowed."""

from django import forms

from tminus.core.forms import RevisionField
from tminus.releases.choices import ScopeStatus
from tminus.releases.template_catalog import template_catalog

DATE = forms.DateInput(attrs={"type": "date"})


class CadenceForm(forms.Form):
    cadence = forms.CharField(
        max_length=300, help_text="'monthly on the 15th', 'every 2 weeks', "
        "'every 4 weeks from 2026-01-05', or dates '2026-05-15, 2026-06-30'.")
    template = forms.ChoiceField(label="Template for new releases")
    revision = RevisionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t["key"], t["name"]) for t in template_catalog()]


class ProposedReleaseForm(forms.Form):
    go_live = forms.DateField(widget=DATE)
    version = forms.CharField(max_length=50, required=False)
    theme = forms.CharField(max_length=200, required=False)


class FeatureForm(forms.Form):
    release = forms.CharField()
    title = forms.CharField(max_length=300)
    status = forms.ChoiceField(choices=ScopeStatus.choices)
    kind = forms.ChoiceField(choices=[("feature", "Feature"), ("enhancement", "Enhancement")])


class MoveForm(forms.Form):
    release = forms.CharField()
    reason = forms.CharField(max_length=500, required=False)
