"""A release's plan document: storing its blocks after an import and rendering it as Markdown.

Blocks made while reading point at spec entries by uid; once the spec is applied, each uid is a
record and the stored block keeps the record's id. Rendering asks each block's mapper for its
lines with live data; kept-notes blocks give their Markdown back verbatim.
"""

import re

from tminus.plans.mapping import all_mappers, mapper_for_block
from tminus.plans.mapping.release_parts import release_field_value
from tminus.plans.models import PlanBlock, PlanDocument

UID_KEYS = ("uid", "section")


def resolve_blocks(blocks: list[dict], records: dict, release=None) -> list[dict]:
    """The blocks with every uid replaced by the id of the record it became.

    With `release` (an import), each overview line remembers the release's value as imported,
    so the line is given back as written until that value changes; without it (a template),
    lines not filled in yet show the release's live values.
    """
    resolved = []
    firsts: set[str] = set()
    for block in blocks:
        block = dict(block)
        uid = block.get("uid") or block.get("section")
        if uid is not None and uid in records:
            block["id"] = records[uid].pk
        if block["kind"] == "release_field" and release is not None:
            block["value"] = release_field_value(release, block["field"])
        for name, value in list(block.items()):
            if isinstance(value, list) and value and isinstance(value[0], dict):
                block[name] = [_resolved_item(entry, records) if "uid" in entry else entry
                               for entry in value]
        if block["kind"] == "phase_description":
            block["first"] = block["uid"] not in firsts
            firsts.add(block["uid"])
            phase = records.get(block["uid"])
            block["full"] = phase.description if phase is not None else block["value"]
        if block["kind"] == "section_meta" and uid in records:
            owner = getattr(records[uid], "owner", None)
            block["value"] = {**block["value"], "owner_user": owner.username if owner else None}
        mapper = mapper_for_block(block["kind"]) if block["kind"] != "text" else None
        if mapper is not None:
            mapper.resolve(block, records)
        resolved.append(block)
    return resolved


def _resolved_item(entry: dict, records: dict) -> dict:
    item = records.get(entry["uid"])
    return {**entry, "id": item.pk if item is not None else None}


def document_save(*, release, blocks: list[dict], source_name: str, source_text: str,
                  title: str, warnings: list, user, origin=PlanDocument.Origin.IMPORT,
                  plan_name: str = ""):
    """Replace the release's document with these (resolved) blocks."""
    document, _created = PlanDocument.objects.update_or_create(
        release=release,
        defaults={"source_name": source_name[:255], "source_text": source_text,
                  "title": title[:300], "plan_name": plan_name[:200], "warnings": warnings,
                  "imported_by": user, "origin": origin},
    )
    document.blocks.all().delete()
    PlanBlock.objects.bulk_create(
        PlanBlock(document=document, order=index, kind=block["kind"], data=block)
        for index, block in enumerate(blocks)
    )
    return document


def live_data(release) -> dict:
    """Everything the renderers read, loaded once per area (a bounded number of queries)."""
    live: dict = {}
    for mapper in all_mappers():
        try:
            live.update(mapper.load(release))
        except Exception:  # an area not migrated yet renders as its kept text
            continue
    return live


def render_blocks(blocks: list[dict], live: dict) -> list[str]:
    """The Markdown lines of a document's blocks, with live data."""
    live["placed_items"] = {entry.get("id") for block in blocks if block["kind"] == "items"
                            for entry in block["items"]}
    for mapper in all_mappers():
        before_render = getattr(mapper, "before_render", None)
        if before_render is not None:
            before_render(blocks, live)
    lines: list[str] = []
    for block in blocks:
        if block["kind"] == "text":
            lines.extend(block["lines"])
            continue
        mapper = mapper_for_block(block["kind"])
        if mapper is None:
            lines.extend(block.get("lines") or [block.get("line", "")])
            continue
        lines.extend(mapper.render(block, live))
    return lines


def stored_blocks(release) -> list[dict] | None:
    document = PlanDocument.objects.filter(release=release).first()
    if document is None:
        return None
    return [block.data for block in document.blocks.all()]


_BOX = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[([ xX])\][ \t]*(.*)$")


def checkboxes(blocks: list[dict] | None) -> dict[tuple[str, int], dict]:
    """The records the document wrote as a box ('- [ ] Migration started'), by (block kind,
    record id): the box's text and whether it was ticked. Areas that took a box (a runbook
    step, a KPI, a planned message) export it with their record's live state, so the plan as
    code keeps every box of the document."""
    found: dict[tuple[str, int], dict] = {}
    for block in blocks or []:
        kind = block["kind"]
        if block.get("id") is not None and (box := _BOX.match(block.get("line") or "")):
            found[(kind, block["id"])] = {"text": box.group(2).strip(),
                                          "ticked": box.group(1) != " "}
        for value in block.values():
            if not (isinstance(value, list) and value and isinstance(value[0], dict)):
                continue
            for entry in value:
                line = entry.get("line")
                if line is None and "index" in entry and block.get("lines"):
                    line = block["lines"][entry["index"]]
                if entry.get("id") is not None and (box := _BOX.match(line or "")):
                    found[(kind, entry["id"])] = {"text": box.group(2).strip(),
                                                  "ticked": box.group(1) != " "}
    return found


def checkbox(live: dict, kinds: tuple[str, ...], record_id: int, done: bool | None) -> dict:
    """{"checkbox": {"text", "status"}} for a record the document wrote as a box: ticked when
    the record says it is done (`done`), else as the document had it; {} otherwise."""
    for kind in kinds:
        box = live.get("checkboxes", {}).get((kind, record_id))
        if box is not None:
            ticked = box["ticked"] if done is None else done
            return {"checkbox": {"text": box["text"], "status": "done" if ticked else "todo"}}
    return {}
