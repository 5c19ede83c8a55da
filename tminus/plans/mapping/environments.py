"""Test environments ("QA environment: for manual testing.") into the product's environments;
the export shows what each one runs now."""

import re

from tminus.core.keys import make_key
from tminus.plans import markdown
from tminus.plans.mapping import Claim, Mapper, area_ready, register_mapper
from tminus.plans.mapping.common import item_text

HEADING = re.compile(r"^(?:test |testing |deployment )?environments?$", re.I)
NAME_SUFFIX = re.compile(r"[ \t]+(?:environment|env)$", re.I)


class EnvironmentMapper(Mapper):
    key = "environments"
    label = "Test environments (environments)"
    order = 410
    block_kinds = ("environment",)

    def ready(self) -> bool:
        return area_ready("tminus.environments.services", "environment_create",
                          "environment_for_write")

    def claim(self, reader, section, index: int) -> Claim | None:
        element = section.elements[index]
        title = markdown.strip_markup(section.title) if section.level else ""
        if not HEADING.match(title) or element.kind not in ("text", "item") \
                or element.is_checkbox:
            return None
        found = markdown.fields_in(element.lines[0])
        name, purpose = (found[0].key, found[0].value) if len(found) == 1 else (
            item_text(element), "")
        name = NAME_SUFFIX.sub("", markdown.strip_markup(name)).strip()[:100]
        if not make_key(name):
            return None
        entry = reader.add_entry(self.key, {"uid": reader.new_uid("v"), "name": name,
                                            "purpose": purpose})
        reader.became(element, f"environment '{name}'", kind="environments")
        return Claim(1, [{"kind": "environment", "uid": entry["uid"],
                          "lines": list(element.lines)}])

    def apply(self, context, entries) -> None:
        for entry in entries:
            environment = self._environment(context, entry)
            if environment is not None:
                context.records[entry.get("uid") or f"environment:{environment.pk}"] = \
                    environment

    @staticmethod
    def _environment(context, entry: dict):
        from tminus.core.errors import NotFound, ValidationFailed
        from tminus.environments import services

        product = context.release.product
        try:
            return services.environment_for_write(product, entry["name"], actor=context.actor)
        except NotFound:
            pass
        try:
            environment = services.environment_create(
                product=product, key=entry["name"], name=entry["name"],
                description=entry.get("purpose", ""), actor=context.actor)
        except ValidationFailed as refused:
            context.warn(f"The environment '{entry['name']}' was not added: {refused.message}")
            return None
        context.change(f"added environment '{environment.name}' to {product.name}")
        return environment

    def load(self, release) -> dict:
        return {"environments": {e.pk: e for e in release.product.environments.all()}}

    def render(self, block: dict, live: dict) -> list[str]:
        environment = live.get("environments", {}).get(block.get("id"))
        lines = list(block["lines"])
        if environment is not None and environment.current_version:
            since = f" since {environment.current_since:%Y-%m-%d}" \
                if environment.current_since else ""
            lines[-1] += f" \u2014 runs {environment.current_version}{since}"
        return lines

    def export(self, release, live: dict) -> list[dict]:
        return []  # environments belong to the product; the document names those it uses


register_mapper(EnvironmentMapper())
