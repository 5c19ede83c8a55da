"""Nothing is lost: every non-blank line of a seed appears in the export of its release."""

import pytest

from tests.plans.helpers import SEEDS, import_plan, missing_lines
from tminus.plans.exporting import export_markdown
from tminus.releases.models import Release

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_import_then_export_markdown_of_each_seed_keeps_every_line(path):
    outcome = import_plan(path.read_bytes(), name=path.name)

    exported = export_markdown(Release.objects.get(key=outcome.release_key))

    assert missing_lines(path.read_bytes().decode("utf-8"), exported) == []


def test_missing_lines_is_strict_about_dropped_changed_and_reordered_lines():
    source = "# Plan\n\n- [ ] one\n\ttwo  words\n"

    assert missing_lines(source, "# Plan\n- [ ] one\n two words\nextra\n") == []
    assert missing_lines(source, "# Plan\n- [x] one\ntwo words\n") == ["- [ ] one"]
    assert missing_lines(source, "two words\n# Plan\n- [ ] one\n") == ["two words"]


def test_seed_001_export_shows_the_repaired_text_never_the_mojibake():
    path = next(p for p in SEEDS if p.name.startswith("001"))
    outcome = import_plan(path.read_bytes(), name=path.name)

    exported = export_markdown(Release.objects.get(key=outcome.release_key))

    assert "- ✅ User authentication (Buyers, Sellers, Delivery Agents)" in exported
    assert "â" not in exported
