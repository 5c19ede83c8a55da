"""Notes other areas add to a release's go/no-go: things deciders should see, such as flag
changes still waiting for approval. A note informs; criteria decide."""

from collections.abc import Callable

_sources: list[Callable[[object], list[str]]] = []


def register_gate_note(source: Callable[[object], list[str]]) -> None:
    """source(release) -> lines to show at the release's go/no-go."""
    if source not in _sources:
        _sources.append(source)


def gate_notes(release) -> list[str]:
    return [line for source in _sources for line in source(release)]
