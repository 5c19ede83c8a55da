"""The `documents_ready` readiness criterion: every required document is published.

Params (optional): {"kinds": ["user_guide", "faq", ...]} to look at some kinds only.
"""

from tminus.documents import selectors
from tminus.documents.choices import DocumentKind


def documents_ready_clean(params: dict) -> dict:
    """Check the optional list of document kinds; ValueError says what is wrong."""
    kinds = params.get("kinds") or []
    if isinstance(kinds, str):
        kinds = [part.strip() for part in kinds.split(",") if part.strip()]
    unknown = [kind for kind in kinds if kind not in DocumentKind.values]
    if unknown:
        raise ValueError(f"Unknown document kind(s) {', '.join(unknown)}; use "
                         f"{', '.join(DocumentKind.values)}.")
    return {"kinds": kinds} if kinds else {}


def documents_ready_describe(params: dict) -> str:
    kinds = params.get("kinds") or []
    if not kinds:
        return "Required documentation published"
    labels = ", ".join(DocumentKind(kind).label for kind in kinds if kind in DocumentKind.values)
    return f"Documentation published: {labels}"


def _missing_text(document) -> str:
    due = f", due {document.due_date:%Y-%m-%d}" if document.due_date else ""
    return f"{document.title} ({document.get_status_display().lower()}{due})"


def documents_ready_evaluate(release, params: dict) -> tuple[bool, str]:
    """Met when every required document (of the kinds asked for) is published or not needed."""
    readiness = selectors.documents_readiness(release, (params or {}).get("kinds") or None)
    if not readiness.required:
        return True, "No required documents are planned."
    if readiness.missing:
        missing = "; ".join(_missing_text(d) for d in readiness.missing)
        return False, (f"{len(readiness.missing)} of {readiness.required} required documents "
                       f"not published: {missing}.")
    return True, f"All {readiness.required} required documents are published."


def register() -> None:
    """Offer the criterion to readiness when that area is installed."""
    try:
        from tminus.readiness.criteria import register_criterion_kind
    except ImportError:
        return
    register_criterion_kind("documents_ready", "Documentation ready", documents_ready_evaluate,
                            clean=documents_ready_clean, describe=documents_ready_describe)
