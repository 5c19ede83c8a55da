"""Post-launch questions ("## Post-launch Questions" and its numbered list) into the outcomes
area's review questions; the export writes each answer under its question."""

import re

from django.utils import timezone

from tminus.plans.mapping import Claim, area_ready, register_mapper
from tminus.plans.mapping.common import RecordMapper, item_text, marker_of, same, sync

HEADING = re.compile(r"^(?:post[- ]?launch|post[- ]?release|review|retrospective|launch review)"
                     r" questions$", re.I)
ANSWER = re.compile(r"^[ \t]*(?:[-*+][ \t]+)?\*{0,2}answer\*{0,2}[ \t]*:\*{0,2}[ \t]*(?P<text>.*?)"
                    r"(?:[ \t]+\u2014[ \t]+[^\u2014]*)?$", re.I)


class QuestionMapper(RecordMapper):
    key = "questions"
    label = "Post-launch questions (outcomes)"
    order = 800
    block_kinds = ("review_question",)
    live_key = "review_questions"

    def ready(self) -> bool:
        return area_ready("tminus.outcomes.services", "review_question_add",
                          "review_question_answer")

    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        title = section.title if section.level else ""
        if not HEADING.match(title.strip("*: ")) or element.kind != "item" \
                or element.is_checkbox or ANSWER.match(element.lines[0]):
            return None
        lines, answer = list(element.lines), ""
        following = section.elements[index + 1] if index + 1 < len(section.elements) else None
        if following is not None and (found := ANSWER.match(following.lines[0])):
            lines, answer = lines + list(following.lines), found["text"]
        entry = reader.add_entry(self.key, {"uid": reader.new_uid("u"),
                                            "question": item_text(element), "answer": answer})
        reader.became(element, "post-launch question", kind="outcomes")
        return Claim(len(lines), [{"kind": "review_question", "uid": entry["uid"],
                                   "lines": lines}])

    def template_parts(self, parts: dict, release_type: str) -> None:
        _closeout(parts, release_type)["questions"] = []

    def apply(self, context, entries) -> None:
        from tminus.outcomes import services

        def answered(question, entry):
            if entry.get("answer") and not same(question.answer, entry["answer"]):
                return {"answer": entry["answer"]}
            return {}

        sync(context, entries, context.release.review_questions.all(), noun="review question",
             match=lambda q, e: same(q.question, e.get("question")),
             add=lambda e: _added(services, context, e), changes=answered,
             update=lambda q, changes: services.review_question_answer(
                 question=q, answer=changes["answer"], revision=None, actor=context.actor))

    def load(self, release) -> dict:
        return {self.live_key: {q.pk: q for q in
                                release.review_questions.select_related("answered_by")}}

    def current(self, question) -> dict:
        return {"question": question.question, "answer": question.answer}

    def rewrite(self, block: dict, question, live: dict) -> list[str]:
        line = block["lines"][0]
        first = line if question.question in line else f"{marker_of(line)}{question.question}"
        if not question.answer:
            return [first]
        indent = " " * len(marker_of(line))
        who = question.answered_by.username if question.answered_by else ""
        when = f"{timezone.localtime(question.answered_at):%Y-%m-%d}" \
            if question.answered_at else ""
        by = f" \u2014 {' on '.join(part for part in (who, when) if part)}" if who or when \
            else ""
        return [first, f"{indent}- **Answer**: {' '.join(question.answer.split())}{by}"]

    def export(self, release, live: dict) -> list[dict]:
        return [{"question": q.question, "answer": q.answer}
                for q in live.get(self.live_key, {}).values()]

    def appendix(self, live: dict, placed: dict, *, standalone: bool) -> list[str]:
        rest = [q for pk, q in live.get(self.live_key, {}).items()
                if pk not in placed.get("review_question", set())]
        if not rest:
            return []
        lines = ["", f"{'##' if standalone else '###'} Post-launch Questions", ""]
        for q in rest:
            lines += self.rewrite({"lines": ["1. "]}, q, live)
        return lines


def _closeout(parts: dict, release_type: str) -> dict:
    """The outcomes part of a template, starting from that area's defaults for the type."""
    from tminus.outcomes.defaults import closeout_defaults

    return parts.setdefault("outcomes", closeout_defaults(release_type))


def _added(services, context, entry: dict):
    question = services.review_question_add(release=context.release,
                                            question=entry["question"], actor=context.actor)
    if entry.get("answer"):
        question = services.review_question_answer(question=question, answer=entry["answer"],
                                                   revision=None, actor=context.actor)
    return question


register_mapper(QuestionMapper())
