"""Form parts every edit form shares."""

from django import forms

from tminus.core.concurrency import REVISION_MISSING


class RevisionField(forms.IntegerField):
    """The revision of the row an edit form was opened at, sent back hidden with the form.

    A form posted without it cleans to REVISION_MISSING, which the save refuses (nothing is
    changed and the page says why) instead of overwriting whatever was saved since the page
    was opened. Forms that also add rows ignore the field when adding.
    """

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        cleaned = super().clean(value)
        return REVISION_MISSING if cleaned is None else cleaned
