"""A release train (seed 001) into the roadmap area.

A document with two or more "## Release 1.1 - Enhanced Experience" sections, each with a
"**Target Date**:", is a release train: the first section is the document's own release (its
version and theme), each later one a release of the product on the roadmap (created through the
roadmap, with its target date and theme), and the features listed under it are that release's
scope. "**Release Frequency**: Monthly major releases" sets the product's cadence. The export
shows each train release's live go-live, theme and features.
"""

import re

from tminus.plans import markdown
from tminus.plans.mapping import Claim, Mapper, area_ready, register_mapper
from tminus.plans.mapping.release_parts import norm_key
from tminus.plans.mapping.roadmap_parts import (
    apply_roadmap,
    feature_entry,
    load_train,
    render_train,
)

TRAIN_HEADING = re.compile(r"^release[ \t]+v?(?P<version>\d+(?:\.\d+)+)\b[ \t]*"
                           r"(?:[-\u2013\u2014:][ \t]*(?P<title>.*))?$", re.I)
TARGET_KEYS = {"target date", "release date", "go-live date", "launch date"}
THEME_KEYS = {"theme", "release theme"}
CADENCE_KEYS = {"release frequency", "release cadence", "cadence", "frequency"}


def _fields(section):
    for element in section.elements:
        if element.kind in ("text", "item"):
            found = markdown.fields_in(element.lines[0])
            if len(found) == 1:
                yield element, found[0]


class RoadmapMapper(Mapper):
    key = "roadmap"
    label = "Release train and cadence (roadmap)"
    order = 50  # before the release mapper takes target dates as milestones
    block_kinds = ("train_release", "train_field", "train_feature", "cadence")

    def ready(self) -> bool:
        return area_ready("tminus.roadmap.services", "cadence_set", "roadmap_release_create")

    # ---- reading -----------------------------------------------------------------------------
    def prepare(self, reader) -> None:
        trains = [s for s in reader.root.walk() if s.level and TRAIN_HEADING.match(
            markdown.strip_markup(s.title)) and any(norm_key(f.key) in TARGET_KEYS
                                                    for _e, f in _fields(s))]
        reader.notes["train"] = trains if len(trains) >= 2 else []

    def claim_heading(self, reader, section):
        trains = reader.notes.get("train", [])
        if section not in trains[1:]:
            return None
        match = TRAIN_HEADING.match(markdown.strip_markup(section.title))
        entry = reader.add_entry(self.key, {
            "uid": reader.new_uid("l"), "version": match["version"],
            "title": markdown.strip_markup(match["title"] or ""), "go_live": None, "theme": "",
            "features": []})
        section.train_entry = entry
        reader.became(section.heading, f"release {entry['version']} on the roadmap",
                      kind="roadmap")
        return [{"kind": "train_release", "uid": entry["uid"], "line": section.heading.lines[0]}]

    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        if element.kind not in ("text", "item") or element.is_checkbox:
            return None
        train = self._train_of(section)
        found = markdown.fields_in(element.lines[0])
        key = norm_key(found[0].key) if len(found) == 1 else ""
        if key in CADENCE_KEYS and found[0].value:
            return self._cadence(reader, element, found[0].value)
        if train is None:
            return self._own_release(reader, section, element, key, found)
        if key in TARGET_KEYS | THEME_KEYS:
            field = "go_live" if key in TARGET_KEYS else "theme"
            value = found[0].value
            if field == "go_live":

                when = reader.when(value, element)
                value = when.day.isoformat() if when and when.day else None
            train[field] = value
            reader.became(element, f"{field.replace('_', '-')} of release {train['version']}",
                          kind="roadmap")
            return Claim(1, [{"kind": "train_field", "uid": train["uid"], "field": field,
                              "line": element.lines[0]}])
        if element.kind == "item":
            feature = feature_entry(reader, element)
            train["features"].append(feature)
            reader.became(element, f"feature of release {train['version']}", kind="roadmap")
            return Claim(1, [{"kind": "train_feature", "uid": feature["uid"],
                              "line": element.lines[0], "style": feature.pop("style")}])
        return None

    @staticmethod
    def _train_of(section) -> dict | None:
        node = section
        while node is not None:
            if getattr(node, "train_entry", None) is not None:
                return node.train_entry
            node = node.parent
        return None

    def _own_release(self, reader, section, element, key, found) -> Claim | None:
        trains = reader.notes.get("train", [])
        if not trains or section is not trains[0] or key not in THEME_KEYS:
            return None
        release = reader.spec["release"]
        if "goal" in release or "goal" in reader.notes.get("used_keys", set()):
            return None
        release["goal"] = found[0].value
        reader.notes["used_keys"].add("goal")
        version = TRAIN_HEADING.match(markdown.strip_markup(section.title))["version"]
        release.setdefault("version", version)
        reader.became(element, f"release goal: {found[0].value}", kind="release")
        return Claim(1, [{"kind": "release_field", "field": "goal", "line": element.lines[0],
                          "value": found[0].value}])

    def _cadence(self, reader, element, value: str) -> Claim:
        entry = reader.add_entry(self.key, {"uid": "cadence", "cadence": None, "written": value})
        block = {"kind": "cadence", "uid": "cadence", "line": element.lines[0], "value": None}
        reader.notes["cadence"] = (entry, block, element)
        return Claim(1, [block])

    def finish(self, reader) -> None:
        """The cadence is read once the train's dates are known: 'Monthly major releases' with
        every target date on the 15th is 'monthly on the 15th'."""
        from tminus.plans.mapping.roadmap_parts import cadence_text

        if "cadence" not in reader.notes:
            return
        entry, block, element = reader.notes["cadence"]
        days = [e["go_live"] for e in reader.spec.get(self.key, []) if e.get("go_live")]
        days += [reader.spec["release"]["go_live"]] if reader.spec["release"].get("go_live") \
            else []
        text = cadence_text(entry.pop("written"), {int(day[8:10]) for day in days})
        if text is None:
            reader.spec[self.key].remove(entry)
            block.update(kind="text", lines=[block.pop("line")])
            return
        entry["cadence"] = block["value"] = text
        reader.became(element, f"product cadence '{text}'", kind="roadmap")

    # ---- applying, live data, rendering ------------------------------------------------------
    def apply(self, context, entries) -> None:
        apply_roadmap(context, entries)

    def load(self, release) -> dict:
        return load_train(release)

    def render(self, block: dict, live: dict) -> list[str]:
        return render_train(block, live)

    def export(self, release, live: dict) -> list[dict]:
        from tminus.plans.mapping.roadmap_parts import export_train

        return export_train(live)


register_mapper(RoadmapMapper())
