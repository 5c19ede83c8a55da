"""Shared helpers for the plan-document tests."""

from datetime import date
from pathlib import Path

from tminus.core.actors import Actor
from tminus.plans import decoding, services

SEEDS_DIR = Path(__file__).parent / "seeds"
SEEDS = sorted(SEEDS_DIR.glob("*.txt"))
CORPUS_DIR = Path(__file__).parent / "corpus"
CORPUS = sorted(p for p in CORPUS_DIR.glob("*.md") if p.name[:2].isdigit())
TODAY = date(2026, 11, 21)


def seed(number: str) -> Path:
    return next(path for path in SEEDS if path.name.startswith(number))


def seed_text(number: str) -> str:
    """The seed as the importer reads it (encoding repaired)."""
    return decoding.decode_document(seed(number).read_bytes()).text


def import_plan(data, *, name="plan.md", product="", key="", actor=None, today=TODAY):
    return services.plan_import(data=data, source_name=name, product_key=product,
                                release_key=key, actor=actor or Actor.cli(), today=today)


def normalise(line: str) -> str:
    """A line as the round-trip compares it: whitespace runs (tabs too) as one space, trimmed."""
    return " ".join(line.split())


def missing_lines(source: str, exported: str) -> list[str]:
    """Source lines (non-blank, normalised) that do not appear, in order, in the export.

    'Appears' means: the normalised non-blank lines of the source form a subsequence of the
    normalised lines of the export. Extra lines in the export (live data added since) are fine;
    a line dropped, changed, or moved out of order is reported.
    """
    wanted = [normalise(line) for line in decoding.repair(source, []).text.splitlines()]
    wanted = [line for line in wanted if line]
    got = [normalise(line) for line in exported.splitlines()]
    missing, position = [], 0
    for line in wanted:
        try:
            position = got.index(line, position) + 1
        except ValueError:
            missing.append(line)
    return missing


def seed_part(number: str, heading: str) -> str:
    """One section of a seed (its heading down to the next heading of the same level or
    higher), under a title, so a test imports only what it is about."""
    lines = seed_text(number).splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == heading)
    level = len(heading) - len(heading.lstrip("#"))
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].startswith("#") and len(lines[i]) - len(lines[i].lstrip("#")) <= level),
               len(lines))
    return "\n".join(["# Release plan", *lines[start:end]]) + "\n"
