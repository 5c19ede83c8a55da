"""The bundled Unleash client specification vectors."""

import json
from pathlib import Path

SPEC_DIR = (
    Path(__file__).parent.parent / "conformance" / "unleash-client-specification" / "specifications"
)


def load_spec_files() -> list[tuple[str, dict]]:
    """Every specification file named by index.json, in order, with its parsed content."""
    names = json.loads((SPEC_DIR / "index.json").read_text(encoding="utf-8"))
    return [(name, json.loads((SPEC_DIR / name).read_text(encoding="utf-8"))) for name in names]
