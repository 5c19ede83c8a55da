"""Finding the release or product a page or endpoint names (outcomes, roadmap, reports)."""

from django.http import Http404

from tminus.core.errors import NotFound
from tminus.releases.models import Product


def product_get(key: str) -> Product:
    """A product by key, or NotFound."""
    product = Product.objects.filter(key=key).first()
    if product is None:
        raise NotFound(f"No product with key {key!r}.")
    return product


def product_or_404(key: str) -> Product:
    try:
        return product_get(key)
    except NotFound as error:
        raise Http404(error.message) from None


def user_or_error(username: str | None, field: str = "owner"):
    """The active user with this name, None for none, or ValidationFailed naming the field."""
    from tminus.accounts.models import User
    from tminus.core.errors import ValidationFailed

    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationFailed({field: f"No user named {username!r}."})
    return user
