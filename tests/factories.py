"""Factories for test data. Releases are made through the service so they have a template."""

from datetime import date, timedelta

import factory

from tminus.accounts.models import User
from tminus.accounts.roles import ADMIN, CONTRIBUTOR, RELEASE_MANAGER, VIEWER
from tminus.core.actors import Actor
from tminus.releases import services
from tminus.releases.models import Product

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = VIEWER

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or PASSWORD)
        user.is_superuser = user.is_staff = user.role == ADMIN
        if create:
            user.save()


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"product-{n}")
    name = factory.LazyAttribute(lambda p: p.key.replace("-", " ").title())


def make_release(product=None, *, template="minor", go_live=None, name=None, **kwargs):
    """A release created from a template through the service, as a user would."""
    product = product or ProductFactory()
    go_live = go_live or date.today() + timedelta(days=30)
    return services.release_create(
        product=product, name=name or f"{product.name} release", template_key=template,
        go_live=go_live, actor=Actor.cli(), **kwargs,
    )


ROLES = [ADMIN, RELEASE_MANAGER, CONTRIBUTOR, VIEWER]
