"""Forms parse what a person typed; the services decide whether it is allowed."""

from django import forms

from tminus.releases.models import Release


class VersionForm(forms.Form):
    environment = forms.ChoiceField()
    version = forms.CharField(max_length=50)
    release = forms.ModelChoiceField(Release.objects.none(), required=False,
                                     to_field_name="key", empty_label="(match by version)")
    note = forms.CharField(max_length=500, required=False)

    def __init__(self, *args, product, environments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["environment"].choices = [(e.key, e.name) for e in environments]
        self.fields["release"].queryset = Release.objects.filter(product=product).order_by(
            "-go_live")


class EnvironmentForm(forms.Form):
    key = forms.CharField(max_length=40, help_text="Short id such as 'performance'.")
    name = forms.CharField(max_length=100, required=False)
    url = forms.URLField(required=False, assume_scheme="https", label="Address (URL)")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
