"""Forms parse what a person typed; the services decide whether it is allowed.

A number a person typed that is not one (a threshold of "2%") is passed on as typed, so the
service refuses it with the same message the API and the CLI give.
"""

import json

from django import forms

from tminus.core.forms import RevisionField
from tminus.flags.models import Flag, Segment
from tminus.metrics.measures import AGGREGATIONS
from tminus.metrics.selectors import metric_choices
from tminus.releases.models import Release
from tminus.rollouts.choices import Comparator, TriggerAction
from tminus.rollouts.templates_catalog import template_list

_AGGREGATION_CHOICES = [(key, key) for key in AGGREGATIONS]


def _number_or_text(value: str):
    try:
        return int(value) if value.strip().lstrip("-").isdigit() else float(value)
    except ValueError:
        return value


class PlanCreateForm(forms.Form):
    release = forms.ModelChoiceField(Release.objects.select_related("product").order_by("key"),
                                     to_field_name="key")
    flag = forms.ModelChoiceField(Flag.objects.filter(archived_at__isnull=True).order_by("key"),
                                  to_field_name="key")
    environment = forms.CharField(max_length=100, initial="production")
    template = forms.ChoiceField()
    users = forms.CharField(required=False, label="Named users (UAT)",
                            help_text="User IDs, separated by commas or spaces.")
    segments = forms.MultipleChoiceField(required=False, label="Segments (rings, in order)")
    stage_duration = forms.CharField(initial="1d", label="Minimum duration of each stage",
                                     help_text="30m, 12h, 1d, 2w.")
    approval = forms.BooleanField(required=False,
                                  label="A person approves every step after UAT")
    metric = forms.ChoiceField(required=False, label="Success criterion: metric")
    aggregation = forms.ChoiceField(choices=_AGGREGATION_CHOICES, initial="ratio")
    of = forms.ChoiceField(required=False, label="of (for a ratio)")
    comparator = forms.ChoiceField(choices=Comparator.choices, initial=Comparator.LT)
    compare = forms.ChoiceField(required=False, label="against", choices=[
        ("", "a fixed threshold"),
        ("control", "the control arm (the threshold is the margin: how much worse is allowed)"),
    ], help_text="Against control, a sequential test compares those served the flag with "
                 "those not served it: '% download_error of download_click no worse than "
                 "control by more than 0.5 points, at 95% confidence'.")
    per = forms.ChoiceField(required=False, label="counting", choices=[
        ("", "each event or exposure"),
        ("user", "each user once (a ratio against control)"),
    ], help_text="Each user once: '% users with download_error of exposed users' (of: "
                 "exposures, from SDKs that report users) or of users with the 'of' metric.")
    threshold = forms.CharField(required=False, initial="2")
    min_sample = forms.IntegerField(min_value=0, initial=100, label="Minimum sample",
                                    help_text="Against control: in each arm.")
    on_regression = forms.ChoiceField(choices=TriggerAction.choices, required=False,
                                      label="on a regression against control")
    trigger_metric = forms.ChoiceField(required=False, label="Rollback trigger: metric")
    trigger_aggregation = forms.ChoiceField(choices=_AGGREGATION_CHOICES, initial="ratio",
                                            label="aggregation")
    trigger_of = forms.ChoiceField(required=False, label="of (for a ratio)")
    trigger_comparator = forms.ChoiceField(choices=Comparator.choices, initial=Comparator.GT,
                                           label="comparator")
    trigger_threshold = forms.CharField(required=False, initial="2", label="threshold")
    trigger_window = forms.IntegerField(min_value=1, initial=5, label="over the last (minutes)")
    trigger_min_sample = forms.IntegerField(min_value=0, initial=200, label="with at least")
    trigger_sample_metric = forms.ChoiceField(required=False, initial="exposures",
                                              label="of (sample)")
    trigger_action = forms.ChoiceField(choices=TriggerAction.choices, label="then")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t.key, t.name) for t in template_list()]
        self.fields["segments"].choices = [(s.name, s.name) for s in Segment.objects.all()]
        metrics = [("", "—"), *metric_choices()]
        for name in ("metric", "of", "trigger_metric", "trigger_of", "trigger_sample_metric"):
            self.fields[name].choices = metrics

    def template_options(self) -> dict:
        data = self.cleaned_data
        criteria, triggers = [], []
        if data["metric"]:
            criterion = self._check("")
            if data["compare"]:
                criterion["margin"] = criterion.pop("threshold")
                criterion.update(compare="control", confidence=95,
                                 on_regression=data["on_regression"] or TriggerAction.ROLLBACK)
            if data["per"]:
                criterion["per"] = data["per"]  # against a threshold: refused, with why
            criteria.append(criterion)
        if data["trigger_metric"]:
            trigger = self._check("trigger_")
            trigger.update(window_minutes=data["trigger_window"],
                           action=data["trigger_action"])
            if data["trigger_sample_metric"]:
                trigger["sample_metric"] = data["trigger_sample_metric"]
            triggers.append(trigger)
        return {"users": data["users"].replace(",", " ").split(),
                "segments": data["segments"], "stage_duration": data["stage_duration"],
                "approval": data["approval"], "criteria": criteria, "triggers": triggers}

    def _check(self, prefix: str) -> dict:
        data = self.cleaned_data
        check = {"metric": data[f"{prefix}metric"], "aggregation": data[f"{prefix}aggregation"],
                 "comparator": data[f"{prefix}comparator"],
                 "threshold": _number_or_text(data[f"{prefix}threshold"] or ""),
                 "min_sample": data["min_sample" if not prefix else "trigger_min_sample"]}
        if data[f"{prefix}of"]:
            check["of"] = data[f"{prefix}of"]
        return check


class ControlForm(forms.Form):
    reason = forms.CharField(max_length=1000)
    step = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DefinitionForm(forms.Form):
    revision = RevisionField()
    definition = forms.CharField(widget=forms.Textarea(attrs={"rows": 24, "class": "code"}))

    def clean_definition(self):
        try:
            return json.loads(self.cleaned_data["definition"])
        except ValueError as error:
            raise forms.ValidationError(f"This is not JSON: {error}.") from None
