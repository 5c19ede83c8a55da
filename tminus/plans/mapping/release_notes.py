"""A "Release Notes" section into the reports area's release notes of the release."""

import re

from tminus.plans.mapping import Claim, Mapper, area_ready, register_mapper
from tminus.plans.mapping.common import run_of

HEADING = re.compile(r"^release notes$", re.I)
UID = "release-notes"


class ReleaseNotesMapper(Mapper):
    key = "release_notes"
    label = "Release notes (reports)"
    order = 900
    block_kinds = ("release_notes",)

    def ready(self) -> bool:
        return area_ready("tminus.reports.services", "release_notes_generate",
                          "release_notes_update")

    def claim(self, reader, section, index: int) -> Claim | None:
        title = section.title.strip("*: ") if section.level else ""
        element = section.elements[index]
        if not HEADING.match(title) or element.kind not in ("text", "item") \
                or element.is_checkbox or reader.spec.get(self.key):
            return None
        run = run_of(section, index, lambda e: e.kind in ("text", "item") and not e.is_checkbox)
        lines = [line for e in run for line in e.lines]
        reader.add_entry(self.key, {"uid": UID, "body": "\n".join(lines).strip()})
        for part in run:
            if part.kind != "blank":
                reader.became(part, "release notes", kind="reports")
        return Claim(len(run), [{"kind": "release_notes", "uid": UID, "lines": lines}])

    def apply(self, context, entries) -> None:
        from tminus.reports import services
        from tminus.reports.models import ReleaseNotes

        for entry in entries[:1]:
            notes = ReleaseNotes.objects.filter(release=context.release).first()
            if notes is None:
                notes = services.release_notes_generate(release=context.release,
                                                        actor=context.actor)
            if notes.body != entry["body"]:
                notes = services.release_notes_update(notes=notes, body=entry["body"],
                                                      revision=None, actor=context.actor)
                context.change("updated the release notes")
            context.records[entry.get("uid") or UID] = notes

    def resolve(self, block: dict, records: dict) -> None:
        notes = records.get(block.get("uid"))
        if notes is not None:
            block["value"] = notes.body

    def load(self, release) -> dict:
        from tminus.reports.models import ReleaseNotes

        return {"release_notes": ReleaseNotes.objects.filter(release=release).first()}

    def render(self, block: dict, live: dict) -> list[str]:
        notes = live.get("release_notes")
        if notes is None or block.get("id") is None or notes.body == block.get("value"):
            return list(block["lines"])
        return notes.body.splitlines()

    def export(self, release, live: dict) -> list[dict]:
        notes = live.get("release_notes")
        return [{"body": notes.body}] if notes is not None else []

    def appendix(self, live: dict, placed: dict, *, standalone: bool) -> list[str]:
        notes = live.get("release_notes")
        if notes is None or "release_notes" in placed:
            return []
        return ["", f"{'##' if standalone else '###'} Release Notes", "",
                *notes.body.splitlines()]


register_mapper(ReleaseNotesMapper())
