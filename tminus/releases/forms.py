"""Forms parse what a person typed; the services decide whether it is allowed."""

from django import forms

from tminus.accounts.models import User
from tminus.core.forms import RevisionField
from tminus.releases.choices import ItemStatus, ReleaseStatus, ReleaseType, ScopeKind, ScopeStatus
from tminus.releases.models import Product
from tminus.releases.template_catalog import template_catalog

DATE = forms.DateInput(attrs={"type": "date"})


def _owner_field(required=False):
    return forms.ModelChoiceField(User.objects.filter(is_active=True).order_by("username"),
                                  required=required, to_field_name="username")


class ProductForm(forms.Form):
    name = forms.CharField(max_length=200)
    key = forms.CharField(max_length=40, required=False,
                          help_text="Short id used in release keys; made from the name if empty.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ReleaseCreateForm(forms.Form):
    product = forms.ModelChoiceField(Product.objects.order_by("name"), to_field_name="key")
    name = forms.CharField(max_length=200)
    version = forms.CharField(max_length=50, required=False)
    template = forms.ChoiceField()
    go_live = forms.DateField(widget=DATE, label="Go-live date")
    goal = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           label="Goal / theme")
    owner = _owner_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t["key"], t["name"]) for t in template_catalog()]


class ReleaseEditForm(forms.Form):
    revision = RevisionField()
    name = forms.CharField(max_length=200)
    version = forms.CharField(max_length=50, required=False)
    release_type = forms.ChoiceField(choices=ReleaseType.choices)
    goal = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           label="Goal / theme")
    owner = _owner_field()


class ScheduleForm(forms.Form):
    revision = RevisionField()
    go_live = forms.DateField(widget=DATE, label="New go-live date")
    reason = forms.CharField(max_length=500, required=False)


class TransitionForm(forms.Form):
    status = forms.ChoiceField(choices=ReleaseStatus.choices)
    reason = forms.CharField(max_length=500, required=False)


class ItemStatusForm(forms.Form):
    revision = RevisionField()
    status = forms.ChoiceField(choices=ItemStatus.choices)


class ScopeForm(forms.Form):
    title = forms.CharField(max_length=300)
    kind = forms.ChoiceField(choices=ScopeKind.choices)
    status = forms.ChoiceField(choices=ScopeStatus.choices)
    link = forms.URLField(required=False, assume_scheme="https")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class PortfolioFilterForm(forms.Form):
    product = forms.ModelChoiceField(Product.objects.order_by("name"), required=False,
                                     to_field_name="key", empty_label="All products")
    status = forms.ChoiceField(required=False,
                               choices=[("", "All statuses"), ("active", "Active"),
                                        *ReleaseStatus.choices])
    owner = forms.ModelChoiceField(User.objects.filter(is_active=True).order_by("username"),
                                   required=False, to_field_name="username",
                                   empty_label="All owners")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_controls(self)


def label_controls(form) -> None:
    """Name each control of a compact filter form, which shows no visible labels."""
    for name, field in form.fields.items():
        field.widget.attrs.setdefault("aria-label", str(field.label or name.capitalize()))


WEEKDAY_CHOICES = [(str(n), name) for n, name in enumerate(
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"], start=1)]


class WorkingWeekForm(forms.Form):
    days = forms.MultipleChoiceField(choices=WEEKDAY_CHOICES, widget=forms.CheckboxSelectMultiple,
                                     label="Working days")


class HolidayForm(forms.Form):
    date = forms.DateField(widget=DATE)
    name = forms.CharField(max_length=200, required=False)


class HolidayImportForm(forms.Form):
    file = forms.FileField(label="ICS calendar",
                           help_text="Every day of every event becomes a holiday.")
