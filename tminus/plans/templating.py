"""Laying out a release from a Markdown template: its parts and its document shape."""

from django.utils import timezone

from tminus.core.actors import WORKER, Actor
from tminus.plans import document, reading
from tminus.plans.applying import ApplyContext
from tminus.plans.mapping import active_mappers
from tminus.plans.markdown_templates import BY_KEY
from tminus.plans.models import PlanDocument

# Template appliers run inside release_create, which already audits the release for its actor;
# the parts a template lays out are recorded as the system's.
TEMPLATE_ACTOR = Actor(None, WORKER)


def apply_markdown_template(release, definition: dict) -> None:
    """Template applier: give a release created from a Markdown template its parts and shape."""
    filename = (definition.get("plans") or {}).get("markdown")
    template = BY_KEY.get(definition.get("key", ""))
    if not filename or template is None:
        return
    text = template.text()
    draft = reading.read_plan(text, today=release.go_live or timezone.localdate())
    context = ApplyContext(release=release, spec=draft.spec, actor=TEMPLATE_ACTOR, prune=False)
    for mapper in active_mappers():
        mapper.apply(context, draft.spec.get(mapper.key, []))
    blocks = document.resolve_blocks(draft.blocks, context.records)
    document.document_save(release=release, blocks=blocks, source_name=filename,
                           source_text=text, title=draft.title, warnings=draft.warnings,
                           user=None, origin=PlanDocument.Origin.TEMPLATE)
