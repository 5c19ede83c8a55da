"""Pages for a release's documentation checklist and links. Thin: parse, call a service, render."""

from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tminus.accounts.roles import CONTRIBUTE, VIEW
from tminus.core.actors import Actor
from tminus.core.errors import ServiceError
from tminus.core.web import (
    add_service_errors,
    flash_service_error,
    posted_revision,
    role_required,
)
from tminus.documents import forms, hooks, services
from tminus.documents.models import Document, ImportantLink
from tminus.releases.lookups import release_or_404


def _page(request, release, status=200, document_form=None, link_form=None):
    context = {**hooks.panel_context(request, release), "release": release,
               "document_form": document_form or forms.DocumentForm(),
               "link_form": link_form or forms.LinkForm(),
               "statuses": forms.DocumentStatus.choices}
    return render(request, "documents/documents.html", context, status=status)


@role_required(VIEW)
def documents(request, key):
    return _page(request, release_or_404(key))


def _back(release):
    return redirect("documents-list", key=release.key)


@require_POST
@role_required(CONTRIBUTE)
def document_add(request, key):
    release = release_or_404(key)
    form = forms.DocumentForm(request.POST)
    if form.is_valid():
        try:
            services.document_add(release=release, actor=Actor.web(request),
                                  **form.cleaned_data)
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            return _back(release)
    return _page(request, release, status=422, document_form=form)


@role_required(CONTRIBUTE)
def document_edit(request, key, document_id):
    release = release_or_404(key)
    document = get_object_or_404(Document, pk=document_id, release=release)
    initial = {"revision": document.revision, "title": document.title, "kind": document.kind,
               "owner": document.owner.username if document.owner else None,
               "due_date": document.due_date, "status": document.status,
               "link": document.link, "required": document.required}
    form = forms.DocumentEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items()
                   if k in form.changed_data and k != "revision"}
        try:
            services.document_update(document=document, revision=form.cleaned_data["revision"],
                                     changes=changes, actor=Actor.web(request))
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            return _back(release)
    status = 422 if form.errors and request.method == "POST" else 200
    return render(request, "documents/edit.html",
                  {"release": release, "document": document, "form": form}, status=status)


@require_POST
@role_required(CONTRIBUTE)
def document_status(request, key, document_id):
    release = release_or_404(key)
    document = get_object_or_404(Document, pk=document_id, release=release)
    try:
        services.document_update(document=document, revision=posted_revision(request),
                                 changes={"status": request.POST.get("status", "")},
                                 actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    return _back(release)


@require_POST
@role_required(CONTRIBUTE)
def link_add(request, key):
    release = release_or_404(key)
    form = forms.LinkForm(request.POST)
    if form.is_valid():
        try:
            services.link_add(release=release, actor=Actor.web(request), **form.cleaned_data)
        except ServiceError as error:
            add_service_errors(form, error)
        else:
            return _back(release)
    return _page(request, release, status=422, link_form=form)


@require_POST
@role_required(CONTRIBUTE)
def link_set(request, key, link_id):
    release = release_or_404(key)
    link = get_object_or_404(ImportantLink, pk=link_id, release=release)
    try:
        if request.POST.get("remove"):
            services.link_remove(link=link, actor=Actor.web(request))
        else:
            services.link_update(link=link, revision=posted_revision(request),
                                 changes={"url": request.POST.get("url", "").strip()},
                                 actor=Actor.web(request))
    except ServiceError as error:
        flash_service_error(request, error)
    return _back(release)
