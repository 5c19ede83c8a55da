"""Nothing is lost on the public plans of the corpus either, and importing one twice changes
nothing the second time."""

import pytest

from tests.plans.helpers import CORPUS, import_plan, missing_lines
from tminus.plans.exporting import export_markdown, plan_as_code
from tminus.releases.models import Release

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name[:2])
def test_each_corpus_plan_keeps_every_line_and_reimports_without_a_change(path):
    first = import_plan(path.read_bytes(), name=path.name, product="corpus")
    release = Release.objects.get(key=first.release_key)
    before = plan_as_code(release)

    assert missing_lines(path.read_bytes().decode("utf-8"), export_markdown(release)) == []
    again = import_plan(path.read_bytes(), name=path.name, product="corpus")
    assert (again.release_key, again.report["changes"]) == (first.release_key, [])
    assert plan_as_code(release) == before
