"""Sign-off lines ("**Project Manager**: _____ **Date**: _____" under a sign-off heading) into
the outcomes area's close-out sign-offs; the export shows who signed and when."""

import re

from django.utils import timezone

from tminus.plans import markdown
from tminus.plans.mapping import Claim, area_ready, register_mapper
from tminus.plans.mapping.common import RecordMapper, same, sync
from tminus.plans.mapping.release_parts import norm_key

SECTION = re.compile(r"sign-?off|approval|approvers", re.I)
DATE_KEYS = {"date", "signed", "signed on", "date signed"}


class SignOffMapper(RecordMapper):
    key = "signoffs"
    label = "Sign-offs (outcomes)"
    order = 810
    block_kinds = ("signoff",)
    live_key = "signoffs"

    def ready(self) -> bool:
        return area_ready("tminus.outcomes.services", "signoff_role_add", "signoff_sign")

    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        if element.kind not in ("text", "item") or element.is_checkbox:
            return None
        if not any(SECTION.search(title) for title in section.path()):
            return None
        found = markdown.fields_in(element.lines[0])
        if len(found) != 2 or norm_key(found[1].key) not in DATE_KEYS:
            return None
        role = markdown.strip_markup(found[0].key)[:100]
        entry = reader.add_entry(self.key, {"uid": reader.new_uid("z"), "role": role})
        reader.became(element, f"sign-off by {role}", kind="outcomes")
        return Claim(1, [{"kind": "signoff", "uid": entry["uid"], "lines": list(element.lines)}])

    def template_parts(self, parts: dict, release_type: str) -> None:
        from tminus.plans.mapping.questions import _closeout

        _closeout(parts, release_type)["signoff_roles"] = []

    def apply(self, context, entries) -> None:
        from tminus.outcomes import services

        sync(context, entries, context.release.signoffs.all(), noun="sign-off",
             match=lambda s, e: same(s.role, e.get("role")),
             add=lambda e: services.signoff_role_add(release=context.release, role=e["role"],
                                                     actor=context.actor))

    def load(self, release) -> dict:
        return {self.live_key: {s.pk: s for s in release.signoffs.select_related("assignee")}}

    def current(self, signoff) -> dict:
        return {"role": signoff.role, "signed_by": signoff.signed_by_label or None,
                "signed_at": f"{timezone.localtime(signoff.signed_at):%Y-%m-%d}"
                if signoff.signed_at else None,
                "assignee": signoff.assignee.username if signoff.assignee else None}

    def rewrite(self, block: dict, signoff, live: dict) -> list[str]:
        line = block["lines"][0]
        found = markdown.fields_in(line)
        value = self.current(signoff)
        who = value["signed_by"] or (f"{value['assignee']} (to sign)" if value["assignee"]
                                     else found[0].value)
        return [markdown.replace_values(line, {0: who, 1: value["signed_at"] or found[1].value},
                                        found)]

    def export(self, release, live: dict) -> list[dict]:
        return [{"role": s.role, "signed_by": s.signed_by_label or None,
                 "signed_at": self.current(s)["signed_at"]}
                for s in live.get(self.live_key, {}).values()]

    def appendix(self, live: dict, placed: dict, *, standalone: bool) -> list[str]:
        rest = [s for pk, s in live.get(self.live_key, {}).items()
                if pk not in placed.get("signoff", set())]
        if not rest:
            return []
        lines = ["", f"{'##' if standalone else '###'} Final Sign-Off"]
        for signoff in rest:
            value = self.current(signoff)
            lines += ["", f"**{signoff.role}**: {value['signed_by'] or '_____________'} "
                          f"**Date**: {value['signed_at'] or '_____________'}"]
        return lines


register_mapper(SignOffMapper())
