"""Feature flags a plan names into the flags area: off, in the product's project.

A toggle table ("Toggle name | Description") names the release's flags; so do "feature flag
`name`", "feature gate `ExpandedDNSConfig`", "Feature flipper: [`name`](…)" and "rollout using
`name`". A flag that does not exist yet is created switched off in every environment of the
product's flag project (made for the product when it has none), linked to the release; the
report says so. The rollout stages use the flag named closest before them.
"""

import re

from tminus.plans import semantics
from tminus.plans.mapping import Mapper, area_ready, register_mapper

IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[_.-][A-Za-z0-9]+)+$|^[a-z]+(?:[A-Z][a-z0-9]+)+$"
                        r"|^[A-Z][a-z0-9]+(?:[A-Z]+[a-z0-9]*)+$")
INLINE = re.compile(
    r"(?:feature[ -]?(?:flag|toggle|gate|flipper)s?|flippers?|toggles?|flags?)(?:[ \t]+name)?"
    r"[ \t]*:?[ \t]*\[?`(?P<a>[^`\s]+)`|"
    r"(?:roll-?out|enabled?|disabled?|behind)[ \t]+(?:using|with|of|behind|by)?[ \t]*"
    r"(?:the[ \t]+)?\[?`(?P<b>[^`\s]+)`", re.I)


def flag_names(reader) -> list[tuple[int, str, str]]:
    """(line, name, description) for every flag the document names, first mention first."""
    from tminus.plans.mapping.tables import Table

    found: dict[str, tuple[int, str, str]] = {}
    for section in reader.root.walk():
        for element in section.elements:
            if element.kind == "table" and len(element.rows) > 1:
                table = Table(element)
                column = table.column("flag")
                if column is None:
                    continue
                for offset, (_line, cells) in enumerate(table.body):
                    name = semantics.cell_text(cells[column]).strip("` ") if column < len(
                        cells) else ""
                    if IDENTIFIER.match(name) and name not in found:
                        about = semantics.cell_text(cells[column + 1]) if column + 1 < len(
                            cells) else ""
                        found[name] = (element.start + 2 + offset, name, about[:500])
    text = "\n".join(reader.lines)
    for match in INLINE.finditer(text):
        name = match["a"] or match["b"]
        if IDENTIFIER.match(name) and name not in found:
            found[name] = (text.count("\n", 0, match.start()), name, "")
    return sorted(found.values())


class FlagMapper(Mapper):
    key = "flags"
    label = "Feature flags (flags)"
    order = 240  # before the rollout stages, which need their flag
    block_kinds = ()

    def ready(self) -> bool:
        return area_ready("tminus.flags.services", "flag_create", "project_create",
                          "flag_update")

    def prepare(self, reader) -> None:
        names = flag_names(reader)
        reader.notes["flag_lines"] = [(line, name) for line, name, _about in names]
        for _line, name, about in names:
            reader.add_entry(self.key, {"name": name[:255], "description": about})

    def apply(self, context, entries) -> None:
        from tminus.core.errors import ValidationFailed
        from tminus.flags import services
        from tminus.flags.models import Flag

        for entry in entries:
            name = str(entry.get("name") or "").strip()
            flag = Flag.objects.filter(key=name).first()
            try:
                if flag is None:
                    flag = services.flag_create(project=product_project(context), key=name,
                                                description=entry.get("description") or "",
                                                release=context.release, actor=context.actor)
                    context.change(f"created flag {flag.key} (off in every environment)")
                    context.warn(f"The plan names the flag '{flag.key}', which did not exist: "
                                 "it was created switched off.")
                elif flag.release_id is None:
                    flag = services.flag_update(flag=flag, changes={"release": context.release},
                                                actor=context.actor)
                    context.change(f"linked flag {flag.key} to the release")
            except ValidationFailed as refused:
                context.warn(f"The flag '{name}' was not taken: {refused.message}")
                continue
            context.records[f"flag:{name}"] = flag

    def export(self, release, live: dict) -> list[dict]:
        from tminus.flags.models import Flag

        return [{"name": flag.key, "description": flag.description}
                for flag in Flag.objects.filter(release=release).order_by("key")]


def product_project(context):
    """The flag project of the release's product, made (with the default environments) the
    first time a plan of the product names a flag."""
    from tminus.flags.models import Project
    from tminus.flags.services import project_create

    product = context.release.product
    project = Project.objects.filter(key=product.key).first()
    if project is None:
        project = project_create(key=product.key, name=product.name, actor=context.actor)
        context.change(f"created the flag project {project.key}")
    return project


register_mapper(FlagMapper())
