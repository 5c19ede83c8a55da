"""Release notes of the demo's live release, drafted from its scope."""

from tminus.core.actors import Actor
from tminus.releases.models import Release
from tminus.reports import services


def load() -> None:
    release = Release.objects.filter(key="shop-1.0").first()
    if release is not None:
        services.release_notes_generate(release=release, actor=Actor.cli())
