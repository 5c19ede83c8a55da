"""Demo data: each area's demo.py adds its part, in the order the apps are installed."""

import importlib

from django.apps import apps
from django.db import transaction

from tminus.releases.models import Product


@transaction.atomic
def demo_load() -> bool:
    """Add demo data once; returns False when it (or any real data) is already there."""
    if Product.objects.exists():
        return False
    for config in apps.get_app_configs():
        if not config.name.startswith("tminus."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.demo":
                raise
            continue
        module.load()
    return True
