"""Reading a bootstrap state: flags to use before the first answer from the server."""

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

Bootstrap = Mapping[str, Any] | str | os.PathLike[str]


def read_bootstrap(bootstrap: Bootstrap) -> Mapping[str, Any]:
    """Return the state given directly, or read from a JSON file at the given path."""
    if isinstance(bootstrap, Mapping):
        return bootstrap
    return json.loads(Path(bootstrap).read_text(encoding="utf-8"))
