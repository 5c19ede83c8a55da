"""Forms parse what a person typed or uploaded; the services decide what is allowed."""

from django import forms

from tminus.plans.decoding import MAX_BYTES
from tminus.releases.models import Product


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A Markdown plan (.md, .txt) or a plan file (.yaml, .json), "
                                     "at most 5 MB.")
    product = forms.CharField(max_length=40, required=False,
                              help_text="Product key; created if it does not exist yet. Empty: "
                                        "the plan's own, else 'imported'.")
    key = forms.CharField(max_length=80, required=False, label="Release key",
                          help_text="Update the release with this key instead of creating one.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; a plan may be at most 5 MB.")
        return upload


class FeedForm(forms.Form):
    product = forms.ModelChoiceField(Product.objects.order_by("name"), to_field_name="key",
                                     required=False, empty_label="My own work (not a product)")
    name = forms.CharField(max_length=100, required=False,
                           help_text="A label to recognise the feed by, e.g. 'Outlook'.")
