"""Every template a release can start from: the built-in ones, then the saved ones."""

from tminus.releases.builtin_templates import BUILTIN_TEMPLATES
from tminus.releases.models import ReleaseTemplate
from tminus.releases.templating import template_providers


def template_catalog() -> list[dict]:
    builtin = [
        {"key": t["key"], "name": t["name"], "release_type": t["release_type"],
         "description": t.get("description", "")}
        for t in BUILTIN_TEMPLATES.values()
    ]
    saved = list(ReleaseTemplate.objects.values("key", "name", "release_type", "description"))
    provided = [entry for provider in template_providers() for entry in provider.catalog()]
    return builtin + provided + saved
