"""Mappers: one small module per target area that turns parts of a plan into that area's records.

A mapper claims elements of a document while it is read (a risk table, a checkbox list, a dated
phase heading), adds entries to the plan's spec under its own key, applies those entries to a
release through its area's services, renders its blocks back to Markdown with live data, and
lists its records for the plan-as-code export. A mapper whose area is not installed or not ready
yet is skipped, and what it would have claimed is kept as notes of its section.
"""

import importlib
from dataclasses import dataclass

MAPPER_MODULES = [
    "tminus.plans.mapping.releases",
    "tminus.plans.mapping.risks",
    "tminus.plans.mapping.kpis",
    "tminus.plans.mapping.flags",
    "tminus.plans.mapping.rollout_stages",
    "tminus.plans.mapping.roadmap",
    "tminus.plans.mapping.people",
    "tminus.plans.mapping.support",
    "tminus.plans.mapping.stakeholders",
    "tminus.plans.mapping.contingencies",
    "tminus.plans.mapping.dependencies",
    "tminus.plans.mapping.testing",
    "tminus.plans.mapping.environments",
    "tminus.plans.mapping.meetings",
    "tminus.plans.mapping.comms",
    "tminus.plans.mapping.runbooks",
    "tminus.plans.mapping.rollback",
    "tminus.plans.mapping.questions",
    "tminus.plans.mapping.signoffs",
    "tminus.plans.mapping.lessons",
    "tminus.plans.mapping.release_notes",
    "tminus.plans.mapping.tables",
    "tminus.plans.mapping.events",
    "tminus.plans.mapping.gate",
]


@dataclass
class Claim:
    """What a mapper took: `count` elements from the one offered, as these blocks."""

    count: int
    blocks: list[dict]


class Mapper:
    """Base class: override what the area supports. `key` names its part of the spec."""

    key = ""
    label = ""
    order = 100
    block_kinds: tuple[str, ...] = ()

    def ready(self) -> bool:
        """Whether the area's models and services exist in this installation."""
        return True

    def claim_heading(self, reader, section) -> list[dict] | None:
        """Blocks for a section's heading line, or None to leave it to others."""
        return None

    def claim(self, reader, section, index: int) -> Claim | None:
        """Take the element at `index` of the section (and maybe some after it), or None."""
        return None

    def finish(self, reader) -> None:
        """Called once after the whole document is read."""

    def apply(self, context, entries: list[dict]) -> None:
        """Create or update the release's records for these entries (context.records[uid])."""

    def resolve(self, block: dict, records: dict) -> None:
        """After an apply: note in the block what its record holds now (the block's id is set)."""

    def load(self, release) -> dict:
        """Live records for rendering, keyed the way render() looks them up; bounded queries."""
        return {}

    def render(self, block: dict, live: dict) -> list[str]:
        """The Markdown lines of one of this mapper's blocks, with live data."""
        return []

    def export(self, release, live: dict) -> list[dict]:
        """This area's entries of the release, for the JSON/YAML plan."""
        return []

    def template_parts(self, parts: dict, release_type: str) -> None:
        """A Markdown template that has this area's entries lays them out itself: blank the
        template parts of the area's own applier here, so they are not laid out twice."""


_registry: dict[str, Mapper] = {}
_loaded = False


def register_mapper(mapper: Mapper) -> Mapper:
    """Add a mapper; the last one registered under a key wins."""
    _registry[mapper.key] = mapper
    return mapper


def _load_modules() -> None:
    global _loaded
    if _loaded:
        return
    for name in MAPPER_MODULES:
        importlib.import_module(name)
    _loaded = True


def all_mappers() -> list[Mapper]:
    """Every registered mapper, ready or not, in claiming order."""
    _load_modules()
    return sorted(_registry.values(), key=lambda m: (m.order, m.key))


def active_mappers() -> list[Mapper]:
    """The mappers whose area is ready, in claiming order."""
    return [mapper for mapper in all_mappers() if _is_ready(mapper)]


def _is_ready(mapper: Mapper) -> bool:
    try:
        return bool(mapper.ready())
    except Exception:  # an area half-built by a colleague must not break imports
        return False


def mapper_for_block(kind: str) -> Mapper | None:
    for mapper in all_mappers():
        if kind in mapper.block_kinds:
            return mapper
    return None


def area_ready(module: str, *names: str) -> bool:
    """Whether `module` imports and has every attribute in `names` (models, services)."""
    try:
        loaded = importlib.import_module(module)
    except ImportError:
        return False
    return all(hasattr(loaded, name) for name in names)
