"""Pages of the communication plan, channels and the outbox. Thin: parse, call a service,
render."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tminus.accounts.permissions import can
from tminus.accounts.roles import ADMINISTER, MANAGE, VIEW
from tminus.comms import delivery, flag_changes, forms, presenters, selectors, services
from tminus.comms.builtin_messages import TEMPLATES
from tminus.comms.content import draft, preview
from tminus.comms.placeholders import BUILTIN_PLACEHOLDERS
from tminus.core.actors import Actor
from tminus.core.errors import NotFound, ServiceError
from tminus.core.web import add_service_errors, flash_service_error, role_required
from tminus.releases.lookups import release_or_404


def _message_or_404(release, message_id: int) -> selectors.MessageView:
    try:
        return selectors.message_view(message_id, release=release)
    except NotFound as error:
        raise Http404(error.message) from None


def _plan_redirect(release):
    return redirect("comms-plan", key=release.key)


@role_required(VIEW)
def plan(request, key):
    release = release_or_404(key)
    context = {
        "release": release,
        "views": selectors.plan(release),
        "values": selectors.placeholder_values(release),
        "builtin": BUILTIN_PLACEHOLDERS,
        "templates": TEMPLATES,
    }
    return render(request, "comms/plan.html", context)


def _unsaved(release, form: forms.MessageForm):
    values = form.service_values()
    values["channel"] = services.channel_by_key(values["channel"])
    return draft(release, **values)


def _message_form_page(request, release, form, message=None, status=200):
    result = None
    if request.method == "POST" and request.POST.get("action") == "preview" and form.is_valid():
        try:
            result = preview(_unsaved(release, form))
        except ServiceError as error:
            add_service_errors(form, error)
        status = 200 if result is None or result.ok else 422
    context = {"release": release, "form": form, "message": message, "preview": result,
               "builtin": BUILTIN_PLACEHOLDERS,
               "values": selectors.placeholder_values(release)}
    return render(request, "comms/message_form.html", context, status=status)


@role_required(MANAGE)
def message_create(request, key):
    release = release_or_404(key)
    initial = forms.MessageForm.initial_from_template(request.GET.get("template", ""))
    form = forms.MessageForm(request.POST or None, initial=initial)
    if request.method != "POST" or request.POST.get("action") == "preview":
        return _message_form_page(request, release, form)
    if form.is_valid():
        try:
            message = services.message_create(
                release=release, template_key=form.cleaned_data["template_key"],
                actor=Actor.web(request), **form.service_values())
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Message “{message.name}” added to the plan.")
            return _plan_redirect(release)
    return _message_form_page(request, release, form, status=422)


@role_required(MANAGE)
def message_edit(request, key, message_id):
    release = release_or_404(key)
    view = _message_or_404(release, message_id)
    form = forms.MessageForm(request.POST or None,
                             initial=forms.MessageForm.initial_for(view.message))
    if request.method != "POST" or request.POST.get("action") == "preview":
        return _message_form_page(request, release, form, view.message)
    if form.is_valid():
        try:
            services.message_update(message=view.message,
                                    revision=form.cleaned_data["revision"],
                                    changes=form.service_values(), actor=Actor.web(request))
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Message saved.")
            return _plan_redirect(release)
    return _message_form_page(request, release, form, view.message, status=422)


@role_required(VIEW)
def message_detail(request, key, message_id):
    release = release_or_404(key)
    view = _message_or_404(release, message_id)
    context = {"release": release, "view": view, "preview": preview(view.message)}
    return render(request, "comms/message_detail.html", context)


@require_POST
@role_required(MANAGE)
def message_send_now(request, key, message_id):
    release = release_or_404(key)
    view = _message_or_404(release, message_id)
    try:
        count = services.message_send_now(message=view.message, actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        if count:
            messages.success(request, f"Queued {count} deliver{'y' if count == 1 else 'ies'}.")
        else:
            messages.error(request, "Nothing was sent: the audience has nobody to send to.")
    return _plan_redirect(release)


@require_POST
@role_required(MANAGE)
def message_cancel(request, key, message_id):
    release = release_or_404(key)
    view = _message_or_404(release, message_id)
    try:
        services.message_cancel(message=view.message, actor=Actor.web(request),
                                reason=request.POST.get("reason", ""))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, f"Message “{view.message.name}” cancelled.")
    return _plan_redirect(release)


@require_POST
@role_required(MANAGE)
def placeholders_save(request, key):
    release = release_or_404(key)
    pairs = zip(request.POST.getlist("key"), request.POST.getlist("value"), strict=False)
    values = {k.strip(): v for k, v in pairs if k.strip()}
    try:
        services.placeholder_values_set(release=release, values=values,
                                        actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, "Placeholder values saved.")
    return HttpResponseRedirect(reverse("comms-plan", args=[release.key]) + "#values")


@require_POST
@role_required(MANAGE)
def delivery_retry(request, delivery_id):
    try:
        row = selectors.delivery_get(delivery_id)
        delivery.delivery_retry(delivery=row, actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, f"Retrying the delivery to {row.recipient}.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "comms-outbox"
    return redirect(target)


@role_required(VIEW)
def outbox(request):
    filters = forms.OutboxFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    rows = selectors.outbox(status=chosen.get("status", ""), purpose=chosen.get("purpose", ""))
    return render(request, "comms/outbox.html", {"rows": rows, "filters": filters})


def _channels_page(request, form, status=200, secret="", subscription_form=None):
    reveal = can(request.user, ADMINISTER)
    channels = [(channel, presenters.channel_url(channel, reveal=reveal))
                for channel in selectors.channels()]
    return render(request, "comms/channels.html",
                  {"channels": channels, "form": form, "secret": secret,
                   "subscriptions": flag_changes.flag_subscriptions(),
                   "subscription_form": subscription_form or forms.FlagSubscriptionForm()},
                  status=status)


@require_POST
@role_required(MANAGE)
def flag_subscription_create(request):
    form = forms.FlagSubscriptionForm(request.POST)
    if form.is_valid():
        try:
            flag_changes.flag_subscription_create(actor=Actor.web(request), **form.cleaned_data)
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Flag changes will be sent there.")
            return redirect("comms-channels")
    return _channels_page(request, forms.ChannelForm(), status=422, subscription_form=form)


@require_POST
@role_required(MANAGE)
def flag_subscription_delete(request, subscription_id):
    try:
        flag_changes.flag_subscription_delete(subscription_id=subscription_id,
                                              actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    else:
        messages.success(request, "Subscription removed.")
    return redirect("comms-channels")


@role_required(VIEW)
def channel_list(request):
    return _channels_page(request, forms.ChannelForm())


@require_POST
@role_required(ADMINISTER)
def channel_create(request):
    form = forms.ChannelForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            channel, secret = services.channel_create(
                name=data["name"], kind=data["kind"], url=data["url"], secret=data["secret"],
                generate_secret=data["generate_secret"], enabled=data["enabled"],
                actor=Actor.web(request))
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Channel {channel.name} added.")
            return _channels_page(request, forms.ChannelForm(), secret=secret)
    return _channels_page(request, form, status=422)


@role_required(ADMINISTER)
def channel_edit(request, channel_id):
    try:
        channel = selectors.channel_get(channel_id)
    except NotFound as error:
        raise Http404(error.message) from None
    initial = {"revision": channel.revision, "name": channel.name, "kind": channel.kind,
               "url": channel.url, "enabled": channel.enabled}
    form = forms.ChannelForm(request.POST or None, initial=initial)
    secret = ""
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        revision = changes.pop("revision")
        try:
            channel, secret = services.channel_update(channel=channel, revision=revision,
                                                      changes=changes, actor=Actor.web(request))
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Channel {channel.name} saved.")
            if not secret:
                return redirect("comms-channels")
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, "comms/channel_edit.html",
                  {"channel": channel, "form": form, "secret": secret}, status=status)
