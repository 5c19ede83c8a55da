"""The package stands alone: no Django anywhere, and the documented entry points exist."""

import ast
import subprocess
import sys
from pathlib import Path

import tminus_client

PACKAGE_DIR = Path(tminus_client.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_package_source_never_imports_django():
    offenders = {
        str(path.relative_to(PACKAGE_DIR)): sorted(m for m in imported_modules(path)
                                                  if m.split(".")[0] == "django")
        for path in PACKAGE_DIR.rglob("*.py")
    }

    assert {path: mods for path, mods in offenders.items() if mods} == {}
    assert len(offenders) > 10


def test_importing_every_module_of_the_package_loads_no_django():
    code = (
        "import sys, pkgutil, importlib, tminus_client\n"
        "for m in pkgutil.walk_packages(tminus_client.__path__, 'tminus_client.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] == 'django'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)

    assert result.stdout.strip() == "[]"


def test_public_entry_points_are_importable_from_documented_places():
    from tminus_client import FlagEngine, TMinusClient, validate_state, validate_strategy
    from tminus_client.engine import apply_delta, validate_constraint
    from tminus_client.openfeature import TMinusProvider

    assert all(callable(item) for item in (FlagEngine, TMinusClient, validate_state,
                                           validate_strategy, apply_delta, validate_constraint,
                                           TMinusProvider))
