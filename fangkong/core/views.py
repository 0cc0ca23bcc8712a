from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core import selectors, services
from fangkong.core.audit import record_audit
from fangkong.core.audit_display import audit_rows
from fangkong.core.forms import AuditFilterForm, EmergencyPeriodForm
from fangkong.core.models import EmergencyPeriod

AUDIT_PAGE_SIZE = 100
EXPORT_LIMIT = 100_000


def _require(request: HttpRequest, permission: str) -> Any:
    user = request.user
    if not user.is_authenticated or not user.scope_keys(permission):
        raise Http404
    return user


@login_required
def audit_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    actor = _require(request, selectors.AUDIT_PERMISSION)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_list(actor=actor, **{k: v for k, v in filters.items() if v})
    if request.GET.get("format") == "csv":
        return _audit_csv(actor, entries, filters)
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {
            "form": form,
            "page": page,
            "rows": audit_rows(page.object_list),
            "query": query.urlencode(),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _audit_csv(actor: Any, entries: Any, filters: dict[str, Any]) -> StreamingHttpResponse:
    with transaction.atomic():
        record_audit(actor, "audit.export", None, division_code="", filters=filters)
    writer = csv.writer(_Echo())
    header = [
        "time",
        "actor",
        "action",
        "object type",
        "object id",
        "object",
        "division",
        "details",
    ]

    def rows() -> Any:
        yield "\ufeff" + writer.writerow(header)
        for e in entries[:EXPORT_LIMIT].iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    timezone.localtime(e.created_at).isoformat(timespec="seconds"),
                    e.actor_username,
                    e.verb,
                    e.target_type,
                    e.target_id,
                    e.target_repr,
                    e.division_code,
                    e.extra,
                ]
            )

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


@login_required
def period_list(request: HttpRequest) -> HttpResponse:
    _require(request, "emergency.manage")
    return render(
        request,
        "core/period_list.html",
        {
            "periods": selectors.emergency_period_list(),
            "current": selectors.emergency_period_current(),
        },
    )


@login_required
def period_edit(request: HttpRequest, period_id: int | None = None) -> HttpResponse:
    actor = _require(request, "emergency.manage")
    period = None
    if period_id is not None:
        period = EmergencyPeriod.objects.filter(pk=period_id).first()
        if period is None:
            raise Http404
    form = EmergencyPeriodForm(request.POST or None, instance=None if period is None else period)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if period is None:
                services.emergency_period_create(actor=actor, **fields)
            else:
                period.refresh_from_db()
                services.emergency_period_update(actor=actor, period=period, **fields)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                for error in exc.messages:
                    form.add_error(None, error)
        else:
            messages.success(request, _("Emergency period saved."))
            return redirect("core:period-list")
    return render(request, "core/period_form.html", {"form": form, "period": period})
