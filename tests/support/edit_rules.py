"""The rules of the one edit path (tminus.core.editing), as every API PATCH must keep them."""

from tminus.core.concurrency import NULL_MESSAGE


def assert_edit_rules_hold(api, path: str, *, revision: int, null_field: str, change: dict):
    """A null for a NOT NULL column is a 422 naming that field, an edit without a revision a 428
    and one from a stale revision a 409, each with `change` alongside; the caller then checks
    that nothing changed."""
    null = api.patch(path, {"revision": revision, **change, null_field: None})
    missing = api.patch(path, change)
    stale = api.patch(path, {"revision": revision + 1, **change})

    assert null.status_code == 422, null.content
    assert null.json()["errors"] == {null_field: [NULL_MESSAGE]}
    assert (missing.status_code, stale.status_code) == (428, 409)
    assert "revision" in missing.json()["current"]
    assert stale.json()["current"]["revision"] == revision
