"""How environments plug into the release page and into releases made from templates."""

from tminus.environments import selectors, services


def panel_context(request, release) -> dict:
    return {"standings": selectors.release_standing(release)}


def defaults_for_new_release(release, definition: dict) -> None:
    """A product's first release gives it QA, staging and production to deploy to."""
    services.defaults_create(release.product, actor=None)
