"""The audit log page: every change, newest first, with the same filters as the API."""

from django.core.paginator import Paginator
from django.shortcuts import render

from tminus.accounts.permissions import can
from tminus.accounts.roles import ADMINISTER, VIEW
from tminus.audit.forms import AuditFilterForm
from tminus.audit.selectors import audit_entries
from tminus.core.web import role_required

PAGE_SIZE = 100


@role_required(VIEW)
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    chosen = dict(form.cleaned_data) if form.is_valid() else {}
    chosen["obj"] = chosen.pop("object", "")
    rows = audit_entries(**chosen, include_accounts=can(request.user, ADMINISTER))
    page = Paginator(rows.select_related("actor"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/log.html", {"form": form, "page": page,
                                              "query": query.urlencode()},
                  status=200 if form.is_valid() or not request.GET else 422)
