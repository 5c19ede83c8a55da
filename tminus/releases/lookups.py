"""Finding a release for a page: the one lookup every area's views share."""

from django.http import Http404

from tminus.core.errors import NotFound
from tminus.releases.selectors import release_get


def release_or_404(key: str):
    """The release with this key, or a 404 page saying there is none."""
    try:
        return release_get(key)
    except NotFound as error:
        raise Http404(error.message) from None
