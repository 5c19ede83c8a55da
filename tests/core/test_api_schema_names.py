"""Every API schema has a name of its own: two schemas under one name share one OpenAPI entry."""

from collections import defaultdict

from django.test import Client
from ninja import Schema


def _schema_classes(base=Schema):
    for subclass in base.__subclasses__():
        yield subclass
        yield from _schema_classes(subclass)


def test_it_gives_every_api_schema_a_name_no_other_schema_has(db):
    Client().get("/api/v1/openapi.json", HTTP_HOST="localhost")  # imports every area's API
    modules_by_name = defaultdict(set)
    for schema in _schema_classes():
        if schema.__module__.startswith("tminus."):
            modules_by_name[schema.__name__].add(schema.__module__)
    shared = {name: sorted(modules) for name, modules in modules_by_name.items()
              if len(modules) > 1}
    assert shared == {}
