"""Where a KPI's values come from. Each source registers here; the worker asks it for a value.

A source is `value(kpi, at) -> (value, error)`: the KPI's value at a moment in the KPI's unit,
or None and the reason it could not be read. The T-Minus metrics area registers "metrics" with
`register_kpi_source("metrics", "T-Minus metrics", its_value_function)` when it lands.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

MANUAL = "manual"

ValueFunction = Callable[[object, datetime], tuple[float | None, str]]


@dataclass(frozen=True)
class KpiSource:
    key: str
    label: str
    # None for values that a person enters; the worker only reads sources that have one.
    value: ValueFunction | None = None
    query_label: str = ""

    @property
    def automatic(self) -> bool:
        return self.value is not None


_sources: dict[str, KpiSource] = {}


def register_kpi_source(key: str, label: str, value: ValueFunction | None = None, *,
                        query_label: str = "Query") -> None:
    """Make a source of KPI values available under a key."""
    _sources[key] = KpiSource(key, label, value, query_label if value else "")


def kpi_sources() -> list[KpiSource]:
    return sorted(_sources.values(), key=lambda source: (source.key != MANUAL, source.label))


def kpi_source(key: str) -> KpiSource | None:
    return _sources.get(key)


def automatic_source_keys() -> list[str]:
    return [source.key for source in _sources.values() if source.automatic]


def kpi_source_value(kpi, at: datetime) -> tuple[float | None, str]:
    """The KPI's value at a moment from its source, or None and why it could not be read."""
    source = _sources.get(kpi.source)
    if source is None:
        return None, f"The source {kpi.source!r} is not available on this server."
    if not source.automatic:
        return None, "A person enters this KPI's values."
    try:
        return source.value(kpi, at)
    except Exception as error:  # a source's failure is a missing reading, never a crash
        return None, f"{source.label} failed: {error}"
