"""Plain dicts of KPIs, readings and the close-out for the API and the exports."""

from tminus.outcomes.measure import kpi_schedule_text


def _username(user) -> str | None:
    return user.username if user else None


def checkin_dict(checkin) -> dict:
    return {
        "id": checkin.pk,
        "slot": checkin.slot,
        "due_at": checkin.due_at,
        "taken_at": checkin.taken_at,
        "value": checkin.value,
        "status": checkin.status,
        "verdict": getattr(checkin, "verdict", None),
        "error": checkin.error,
        "source": checkin.source,
        "recorded_by": _username(checkin.recorded_by),
        "note": checkin.note,
        "revision": checkin.revision,
    }


def kpi_dict(view, with_checkins: bool = False) -> dict:
    kpi = view.kpi
    latest = view.latest
    data = {
        "id": kpi.pk,
        "key": kpi.key,
        "release": kpi.release.key if kpi.release_id else None,
        "product": kpi.product.key if kpi.product_id else None,
        "name": kpi.name,
        "target": kpi.target_text,
        "target_normalized": view.target.describe(),
        "comparator": kpi.comparator,
        "target_value": kpi.target_value,
        "unit": kpi.unit,
        "window": kpi.window,
        "window_hours": kpi.window_hours,
        "baseline": kpi.baseline,
        "source": kpi.source,
        "query": kpi.query,
        "source_url": kpi.source_url,
        "schedule": kpi_schedule_text(kpi),
        "starts_on": kpi.starts_on,
        "owner": _username(kpi.owner),
        "status": view.status,
        "latest_value": latest.value if latest else None,
        "latest_at": latest.moment if latest else None,
        "revision": kpi.revision,
    }
    if with_checkins:
        data["checkins"] = [checkin_dict(c) for c in view.checkins]
    return data


def table_dict(table) -> dict:
    return {
        "kind": table.kind,
        "title": table.title,
        "kpis": [view.kpi.key for view in table.views],
        "rows": [
            {"slot": row.slot.key, "label": row.slot.label, "due_on": row.due_on,
             "status": row.status,
             "cells": [{"kpi": cell["view"].kpi.key, "state": cell["state"],
                        "value": cell["checkin"].value if cell["checkin"] else None,
                        "error": cell["checkin"].error if cell["checkin"] else ""}
                       for cell in row.cells]}
            for row in table.rows
        ],
    }


def question_dict(question) -> dict:
    return {"id": question.pk, "question": question.question, "answer": question.answer,
            "answered_by": _username(question.answered_by), "answered_at": question.answered_at,
            "revision": question.revision}


def lesson_dict(lesson) -> dict:
    return {"id": lesson.pk, "kind": lesson.kind, "text": lesson.text,
            "added_by": _username(lesson.added_by), "created_at": lesson.created_at}


def signoff_dict(signoff) -> dict:
    return {"id": signoff.pk, "role": signoff.role, "assignee": _username(signoff.assignee),
            "signed": signoff.signed_at is not None, "signed_by": signoff.signed_by_label or None,
            "signed_at": signoff.signed_at, "comment": signoff.comment,
            "revision": signoff.revision}
