"""Go/no-go criteria into the release's readiness gate.

What a go/no-go decision checks, listed as such, becomes a readiness criterion of the release:

- the questions of a go/no-go poll ("Are the 4 Launch PRs ready to merge?" with its answer
  "**ready**" under the discipline that answers it): a criterion met once it is answered ready
  (kind `plan_confirmation`, the answer and who gives it in its parameters);
- a list under a Go/No-Go, launch-criteria or pre-launch-criteria heading, or a "GATE:" line:
  a criterion each, met once confirmed;
- a checklist right before the "Go/No-Go" line (seed 003's verification boxes): a criterion
  each that is met when its checklist item is done (kind `plan_item_done`), so the gate follows
  the checklist.

A criterion without a threshold stays a criterion to confirm by hand.
"""

import itertools
import re

from tminus.plans import markdown, semantics
from tminus.plans.mapping import Claim, Mapper, area_ready, register_mapper
from tminus.plans.mapping.common import lines_of, run_of, same, sync

ANSWERED = re.compile(r"^(?:ready|yes|go|done|met|ok|confirmed|complete[d]?|true|✅)\b", re.I)
PRE_LAUNCH = re.compile(r"pre-?launch|launch readiness|before launch|pre-?release", re.I)
GATE_LINE = re.compile(r"^(?:[-*+][ \t]+)?(?:\*\*)?(?:gate|go/no-?go criteri\w*)(?:\*\*)?[ \t]*:"
                       r"[ \t]*(?P<text>.+)$", re.I)
ITEM_DONE, CONFIRMATION = "plan_item_done", "plan_confirmation"
# "Decision: Conditional Go", "> Conditional Go": a go once the conditions listed with it hold.
CONDITIONAL_GO = re.compile(r"^>?[ \t]*(?:\*\*|__)?(?:(?:go[ \t]*/[ \t]*no[- ]?go[ \t]+)?"
                            r"decision(?:\*\*|__)?[ \t]*:[ \t]*(?:\*\*|__)?)?"
                            r"conditional(?:ly)?[ \t-]+go\b[^a-z]*$", re.I)
QUOTED_ITEM = re.compile(r"^>[ \t]*(?:[-*+]|\d+[.)])[ \t]+(?P<text>.+)$")


def _gate_section(section) -> bool:
    """The section or its parent speaks of the go/no-go, or of criteria before launch."""
    titles = [markdown.strip_markup(n.title) for n in (section, section.parent)
              if n is not None and n.level]
    if any(semantics.GO_NO_GO.search(t) for t in titles):
        return True
    path = " ".join(section.path())
    return bool(re.search(r"criteri", path, re.I) and PRE_LAUNCH.search(path))


class GateMapper(Mapper):
    key = "readiness_criteria"
    label = "Go/no-go criteria (readiness)"
    order = 1010  # after the release's checklists: some criteria follow their items
    block_kinds = ("gate_question",)

    def ready(self) -> bool:
        return area_ready("tminus.readiness.services", "criterion_add", "criterion_update",
                          "criterion_remove")

    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        if element.kind == "text" and CONDITIONAL_GO.match(element.lines[0]):
            return self._conditional_go(reader, section, index)
        if element.kind in ("text", "item") and _criteria_label(element):
            return self._labelled_list(reader, section, index)
        if element.kind == "text" and (match := GATE_LINE.match(element.lines[0])):
            entry = self._criterion(reader, semantics.as_written(match["text"]))
            reader.became(element, f"go/no-go criterion '{entry['label']}'", kind="readiness")
            return Claim(1, [{"kind": "gate_question", "uid": entry["uid"],
                              "lines": list(element.lines)}])
        if not section.level or not _gate_section(section):
            return None
        if element.kind == "text" and element.text.rstrip("*_ ").endswith("?"):
            return self._question(reader, section, index)
        if element.kind == "item" and not element.is_checkbox and index == _list_start(
                section, index):
            return self._list(reader, section, index)
        return None

    def _question(self, reader, section, index: int) -> Claim:
        element = section.elements[index]
        run = [element]
        following = [e for e in section.elements[index + 1:index + 3]]
        answer = ""
        for candidate in following:
            run.append(candidate)
            if candidate.kind == "blank":
                continue
            if candidate.kind == "text" and candidate.text.startswith(("**", "__")):
                answer = semantics.as_written(candidate.text)
            else:
                run.pop()
            break
        while run and run[-1].kind == "blank":
            run.pop()
        entry = self._criterion(reader, semantics.as_written(element.text), answer=answer,
                                owner=_answerer(section))
        reader.became(element, f"go/no-go criterion '{entry['label'][:60]}'"
                      + (f", answered '{answer}'" if answer else ""), kind="readiness")
        return Claim(len(run), [{"kind": "gate_question", "uid": entry["uid"],
                                 "lines": lines_of(run)}])

    def _list(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        run = run_of(section, index, lambda e: e.kind == "item" and not e.is_checkbox
                     and e.indent >= element.indent)
        items = [e for e in run if e.kind == "item" and e.indent == element.indent]
        texts = [semantics.as_written(e.text) for e in items]
        if not texts or semantics.is_link_list(texts) or all(semantics.names_in(t)
                                                              for t in texts):
            return None
        for item, text in zip(items, texts, strict=True):
            entry = self._criterion(reader, text)
            reader.became(item, f"go/no-go criterion '{entry['label'][:60]}'", kind="readiness")
        return Claim(len(run), [{"kind": "gate_question", "uid": None, "lines": lines_of(run)}])

    def _labelled_list(self, reader, section, index: int) -> Claim | None:
        """'Go/No-Go criteria:' (a line, a bold label or an item) and the list after it."""
        label = section.elements[index]
        run = _list_after(section, index, deeper_than=label.indent if label.kind == "item"
                          else -1)
        labels = [n for n, e in enumerate(run) if e.kind == "item" and _criteria_label(e)]
        run = run[:labels[0]] if labels else run  # the next labelled list is its own
        while run and run[-1].kind == "blank":
            run.pop()
        items = [e for e in run if e.kind == "item" and e.indent == min(
            i.indent for i in run if i.kind == "item")]
        texts = [semantics.as_written(e.text) for e in items]
        if not texts or semantics.is_link_list(texts):
            return None
        for item, text in zip(items, texts, strict=True):
            entry = self._criterion(reader, text)
            reader.became(item, f"go/no-go criterion '{entry['label'][:60]}'", kind="readiness")
        return Claim(1 + len(run), [{"kind": "gate_question", "uid": None,
                                     "lines": lines_of([label, *run])}])

    def _conditional_go(self, reader, section, index: int) -> Claim:
        """A go decided with conditions: each condition listed with it is a criterion of the
        gate, open until it is confirmed."""
        decision = section.elements[index]
        run = []
        for element in section.elements[index + 1:]:
            quoted = element.kind == "text" and QUOTED_ITEM.match(element.lines[0])
            if not quoted:
                break
            run.append(element)
            entry = self._criterion(reader, semantics.as_written(quoted["text"]))
            reader.became(element, f"condition of the go: go/no-go criterion "
                          f"'{entry['label'][:60]}'", kind="readiness")
        if not run and not decision.lines[0].startswith(">"):
            run = _list_after(section, index, deeper_than=-1)
            for item in [e for e in run if e.kind == "item"]:
                entry = self._criterion(reader, semantics.as_written(item.text))
                reader.became(item, f"condition of the go: go/no-go criterion "
                              f"'{entry['label'][:60]}'", kind="readiness")
        count = sum(1 for e in run if e.kind != "blank")
        reader.became(decision, "go/no-go decision: go with conditions"
                      + (f" ({count} conditions, criteria of the gate)" if count else ""),
                      kind="readiness")
        return Claim(1 + len(run), [{"kind": "gate_question", "uid": None,
                                     "lines": lines_of([decision, *run])}])

    @staticmethod
    def _criterion(reader, label: str, *, answer: str = "", owner: str = "",
                   item_uid: str | None = None) -> dict:
        params = {"item_uid": item_uid} if item_uid else {"answer": answer[:200],
                                                          "owner": owner[:200]}
        return reader.add_entry("readiness_criteria", {
            "uid": reader.new_uid("g"), "kind": ITEM_DONE if item_uid else CONFIRMATION,
            "label": label[:300], "params": params})

    def finish(self, reader) -> None:
        """A checklist right before a 'Go/No-Go' line is what the go/no-go checks."""
        for section in reader.root.walk():
            elements = [e for e in section.elements if e.kind != "blank"]
            for before, after in itertools.pairwise(elements):
                if before.is_checkbox and after.kind == "text" and re.match(
                        r"^\W*go\s*/\s*no[- ]?go\b", after.text, re.I):
                    self._items_before(reader, section, before)

    def _items_before(self, reader, section, last) -> None:
        position = section.elements.index(last)
        lines = set()
        for element in reversed(section.elements[:position + 1]):
            if element.kind == "blank":
                continue
            if not element.is_checkbox:
                break
            lines.add(element.lines[0])
        for block in reader.blocks:
            if block.get("kind") != "items":
                continue
            for entry in block["items"]:
                if entry.get("depth", 0) == 0 and entry["line"] in lines:
                    text = semantics.as_written(markdown.CHECKBOX.match(
                        entry["line"].strip()[2:]).group(2) or "")
                    self._criterion(reader, text, item_uid=entry["uid"])

    # ---- applying, rendering -----------------------------------------------------------------
    def apply(self, context, entries) -> None:
        from tminus.readiness import services

        def params(entry):
            wanted = dict(entry.get("params") or {})
            uid = wanted.pop("item_uid", None)
            if uid is not None:
                item = context.records.get(uid)
                wanted["item"] = item.pk if item is not None else None
            return wanted

        sync(context, [e for e in entries if e.get("kind") != ITEM_DONE
                       or params(e).get("item")],
             context.release.readiness_criteria.filter(kind__in=(ITEM_DONE, CONFIRMATION)),
             noun="go/no-go criterion",
             match=lambda c, e: same(c.label, e.get("label")) and c.kind == e.get("kind"),
             add=lambda e: services.criterion_add(release=context.release, kind=e["kind"],
                                                  params=params(e), label=e["label"],
                                                  actor=context.actor),
             changes=lambda c, e: {} if c.params == params(e) else {"params": params(e)},
             update=lambda c, wanted: services.criterion_update(
                 criterion=c, revision=None, changes=wanted, actor=context.actor),
             remove=lambda c: services.criterion_remove(criterion=c, actor=context.actor))

    def render(self, block: dict, live: dict) -> list[str]:
        return list(block["lines"])

    def export(self, release, live: dict) -> list[dict]:
        return [{"kind": c.kind, "label": c.label, "params": c.params}
                for c in release.readiness_criteria.filter(kind__in=(ITEM_DONE, CONFIRMATION))]


def _criteria_label(element) -> bool:
    """A line that only announces go/no-go criteria: 'Go/No-Go criteria:', '**Launch
    criteria**', '- Go-live readiness criteria:'."""
    written = markdown.strip_markup(element.text if element.kind == "item"
                                    else element.lines[0]).strip()
    text = written.rstrip(":").strip()
    if ":" in text:  # 'GATE: Security review signed off' is a criterion, not a label
        return False
    return len(text.split()) <= 6 and bool(semantics.GO_NO_GO.search(text)) and bool(
        re.search(r"criteri|conditions|checks\b", text, re.I))


def _list_after(section, index: int, *, deeper_than: int) -> list:
    """The list right after an element (blank lines before it and inside it included)."""
    run = []
    for element in section.elements[index + 1:]:
        if element.kind == "blank" or (element.kind == "item" and element.indent > deeper_than):
            run.append(element)
        else:
            break
    while run and run[-1].kind == "blank":
        run.pop()
    if not any(e.kind == "item" for e in run):
        return []
    return run


def _list_start(section, index: int) -> int:
    while index and section.elements[index - 1].kind in ("item", "blank") and not (
            section.elements[index - 1].kind == "blank" and (
                index < 2 or section.elements[index - 2].kind != "item")):
        index -= 1
    while section.elements[index].kind == "blank":
        index += 1
    return index


def _answerer(section) -> str:
    """Who answers a poll's questions: the person marked `*` in the section's list."""
    for element in section.elements:
        if element.kind == "item" and "*" in element.text.replace("**", ""):
            names = semantics.names_in(element.text)
            if names:
                return names[0]
    return ""


# ---- the criterion kinds ---------------------------------------------------------------------

def _item_done(release, params: dict) -> tuple[bool, str]:
    from tminus.releases.choices import FINISHED_ITEM_STATUSES
    from tminus.releases.models import ChecklistItem

    item = ChecklistItem.objects.filter(pk=params.get("item"), release=release).first()
    if item is None:
        return False, "Its checklist item was removed."
    done = item.status in FINISHED_ITEM_STATUSES
    return done, f"'{item.text}' is {item.get_status_display().lower()}."


def _confirmation(release, params: dict) -> tuple[bool, str]:
    answer, owner = str(params.get("answer") or ""), str(params.get("owner") or "")
    if not answer:
        return False, "Not confirmed yet" + (f" ({owner} to answer)." if owner else ".")
    met = bool(ANSWERED.match(answer))
    return met, f"{owner or 'The team'} answered '{answer}'."


def _confirmation_clean(params: dict) -> dict:
    unknown = set(params) - {"answer", "owner"}
    if unknown:
        raise ValueError(f"Unknown parameter(s): {', '.join(sorted(unknown))}.")
    return {"answer": str(params.get("answer") or "")[:200],
            "owner": str(params.get("owner") or "")[:200]}


def _item_clean(params: dict) -> dict:
    if not isinstance(params.get("item"), int):
        raise ValueError("Give the id of the checklist item ('item').")
    return {"item": params["item"]}


def register_kinds() -> None:
    from tminus.readiness.criteria import register_criterion_kind

    register_criterion_kind(ITEM_DONE, "Checklist item done", _item_done, clean=_item_clean)
    register_criterion_kind(CONFIRMATION, "Confirmed at the go/no-go", _confirmation,
                            clean=_confirmation_clean)


register_mapper(GateMapper())
