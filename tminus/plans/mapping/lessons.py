"""Lessons learned ("**What Went Well**:", "**What Could Be Improved**:", "**Recommendations for
Future Projects**:" and their numbered lines) into the outcomes area's lessons; the export lists
the live lessons in place of the blanks."""

import re

from tminus.plans import markdown
from tminus.plans.mapping import Claim, Mapper, area_ready, register_mapper
from tminus.plans.mapping.common import item_text, label_of, marker_of, run_of, same

KINDS = [(re.compile(r"went well|worked well|successes", re.I), "went_well"),
         (re.compile(r"improve|went wrong|didn.t go well|challenges", re.I), "to_improve"),
         (re.compile(r"recommendation|next time|future", re.I), "recommendation")]


class LessonMapper(Mapper):
    key = "lessons"
    label = "Lessons learned (outcomes)"
    order = 820
    block_kinds = ("lessons",)

    def ready(self) -> bool:
        return area_ready("tminus.outcomes.services", "lesson_add", "lesson_remove")

    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        if not any(re.search(r"lessons?", title, re.I) for title in section.path()):
            return None
        label = label_of(element) if element.kind == "text" else None
        kind = next((k for pattern, k in KINDS if label and pattern.search(label)), None)
        if kind is None:
            return None
        run = run_of(section, index + 1, lambda e: e.kind == "item" and not e.is_checkbox)
        texts = [item_text(e) for e in run if e.kind == "item"]
        real = [text for text in texts if not markdown.is_placeholder(text)]
        reader.add_entry(self.key, {"uid": f"lessons-{kind}", "kind": kind, "texts": real})
        reader.became(element, f"lessons: {kind.replace('_', ' ')} ({len(real)})",
                      kind="outcomes")
        return Claim(1 + len(run), [{"kind": "lessons", "uid": f"lessons-{kind}",
                                     "lesson_kind": kind, "head": list(element.lines),
                                     "items": [e.lines[0] for e in run]}])

    def apply(self, context, entries) -> None:
        from tminus.outcomes import services

        existing = list(context.release.lessons.all())
        for entry in entries:
            kind, texts = entry["kind"], entry.get("texts") or []
            mine = [lesson for lesson in existing if lesson.kind == kind]
            for text in texts:
                if not any(same(lesson.text, text) for lesson in mine):
                    services.lesson_add(release=context.release, kind=kind, text=text,
                                        actor=context.actor)
                    context.change(f"added lesson '{text[:60]}'")
            if context.prune and texts:  # only a list of real lessons replaces the live one
                for lesson in mine:
                    if not any(same(lesson.text, text) for text in texts):
                        services.lesson_remove(lesson=lesson, actor=context.actor)
                        context.change(f"removed lesson '{lesson.text[:60]}'")
            context.records[entry.get("uid") or f"lessons-{kind}"] = context.release

    def resolve(self, block: dict, records: dict) -> None:
        if block.get("uid") in records:
            block["value"] = list(records[block["uid"]].lessons.filter(
                kind=block["lesson_kind"]).values_list("text", flat=True))

    def load(self, release) -> dict:
        lessons: dict[str, list[str]] = {}
        for lesson in release.lessons.all():
            lessons.setdefault(lesson.kind, []).append(lesson.text)
        return {"lessons": lessons}

    def render(self, block: dict, live: dict) -> list[str]:
        texts = live.get("lessons", {}).get(block["lesson_kind"], [])
        if block.get("id") is None or texts == block.get("value"):
            return [*block["head"], *block["items"]]
        marker = marker_of(block["items"][0]) if block["items"] else "1. "
        numbered = marker.strip()[:1].isdigit()
        lines = [f"{n}. {text}" if numbered else f"{marker}{text}"
                 for n, text in enumerate(texts, start=1)]
        blanks = [line for line in block["items"] if markdown.is_placeholder(
            re.sub(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]*", "", line))]
        for n, line in enumerate(blanks[len(texts):], start=len(texts) + 1):
            lines.append(re.sub(r"^([ \t]*)\d+", lambda m, n=n: f"{m.group(1)}{n}", line)
                         if numbered else line)
        return [*block["head"], *lines]

    def export(self, release, live: dict) -> list[dict]:
        return [{"kind": kind, "texts": texts} for kind, texts in live.get("lessons", {}).items()]

    def appendix(self, live: dict, placed: dict, *, standalone: bool) -> list[str]:
        if "lessons" in placed or not live.get("lessons"):
            return []
        titles = {"went_well": "What Went Well", "to_improve": "What Could Be Improved",
                  "recommendation": "Recommendations for Future Projects"}
        lines = ["", f"{'##' if standalone else '###'} Lessons Learned"]
        for kind, texts in live["lessons"].items():
            lines += ["", f"**{titles[kind]}**:",
                      *[f"{n}. {text}" for n, text in enumerate(texts, start=1)]]
        return lines


register_mapper(LessonMapper())
