"""URLs: health, admin, the JSON API, and each area's pages (every tminus app's urls.py)."""

import importlib

from django.apps import apps
from django.contrib import admin
from django.urls import include, path

from tminus.core.api import build_api
from tminus.core.views import favicon, healthz

api = build_api()
handler500 = "tminus.core.views.server_error"


def _app_urls() -> list:
    patterns = []
    for config in apps.get_app_configs():
        if not config.name.startswith("tminus."):
            continue
        try:
            importlib.import_module(f"{config.name}.urls")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.urls":
                raise
            continue
        patterns.append(path("", include(f"{config.name}.urls")))
    return patterns


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    *_app_urls(),
]
