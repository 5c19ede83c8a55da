"""Nothing is lost for odd documents either: HTML inside Markdown, tables with missing cells,
deep nesting, CRLF, tabs and emoji, in any mix (generated with hypothesis)."""
# ruff: noqa: RUF001 (the en dash is what plans are written with)

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.plans.helpers import import_plan, missing_lines
from tminus.plans.exporting import export_markdown
from tminus.releases.models import Release

pytestmark = pytest.mark.django_db

WORDS = st.sampled_from(["Deploy", "api", "Café", "naïve", "🚀", "✅", "📋", "→", "日本",
                         "**bold**", "`code`", "x|y", "50%", "[FILL_IN]", "___", "Go ☐",
                         "No-Go ☒", "<b>", "&amp;", "Jan 12", "T-7d", "(15-30 minutes)", ":"])
PHRASE = st.lists(WORDS, min_size=1, max_size=6).map(" ".join)
INDENT = st.sampled_from(["", "  ", "    ", "\t", "      ", "\t  "])


@st.composite
def checklist(draw):
    lines, depth = [], 0
    for _ in range(draw(st.integers(1, 6))):
        depth = draw(st.integers(0, min(depth + 1, 5)))
        box = draw(st.sampled_from(["[ ]", "[x]", "[X]"]))
        lines.append(f"{'  ' * depth}- {box} {draw(PHRASE)}")
    return lines


@st.composite
def table(draw):
    width = draw(st.integers(1, 4))
    header = "| " + " | ".join(draw(PHRASE).replace("|", "/") for _ in range(width)) + " |"
    rows = [header, "|" + "---|" * width]
    for _ in range(draw(st.integers(0, 3))):
        cells = draw(st.integers(0, width))  # fewer cells than the header
        rows.append("| " + " | ".join(draw(PHRASE).replace("|", "/") for _ in range(cells))
                    + (" |" if cells else "|"))
    return rows


@st.composite
def block(draw):
    kind = draw(st.sampled_from(["heading", "field", "checklist", "table", "html", "fence",
                                 "text", "list", "dated", "meta", "blank"]))
    if kind == "heading":
        return [f"{'#' * draw(st.integers(1, 6))} {draw(PHRASE)}"]
    if kind == "field":
        key = draw(st.sampled_from(["Release Date", "Version Number", "Release Type", "Owner",
                                    "Theme", "Feature Freeze", "Release Goal"]))
        style = draw(st.sampled_from(["{k}: {v}", "**{k}**: {v}", "- **{k}**: {v}"]))
        return [style.format(k=key, v=draw(PHRASE))]
    if kind == "checklist":
        return draw(checklist())
    if kind == "table":
        return draw(table())
    if kind == "html":
        return ["<div class=\"note\">", draw(PHRASE), "</div>", ""]
    if kind == "fence":
        return ["```", f"# {draw(PHRASE)}", f"- [ ] {draw(PHRASE)}", "```"]
    if kind == "list":
        return [f"{draw(INDENT)}- {draw(PHRASE)}" for _ in range(draw(st.integers(1, 4)))]
    if kind == "dated":
        when = draw(st.sampled_from(["Jan 12–Feb 28", "March 1-March 12", "MArch 28–April 10",
                                     "10/31/2024 - 11/4/2024", "Jan 2M-12", "T-14d–T-1d"]))
        return [f"### {draw(PHRASE)} ({when}):", draw(PHRASE)]
    if kind == "meta":
        return [f"**Responsible**: {draw(PHRASE)} **Due Date**: ___ **Status**: ☐"]
    if kind == "blank":
        return [draw(INDENT)]
    return [f"{draw(INDENT)}{draw(PHRASE)}"]


@st.composite
def document(draw):
    lines = ["# Release plan"]
    for part in draw(st.lists(block(), min_size=1, max_size=12)):
        lines += part
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    return ending.join(lines) + ending


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=document())
def test_generated_odd_documents_keep_every_line_through_import_and_export(text):
    outcome = import_plan(text.encode("utf-8"), name="odd.md")

    exported = export_markdown(Release.objects.get(key=outcome.release_key))

    assert missing_lines(text, exported) == []


def test_a_document_of_every_odd_kind_at_once_keeps_every_line():
    text = "\r\n".join([
        "# Release plan 🚀", "Release Date: 2026-06-01", "<details><summary>HTML</summary>",
        "**inside**", "</details>", "", "| Risk | Impact | Mitigation |", "|---|---|---|",
        "| Late | High |", "| Only one |", "", "## Checks", "- [ ] one", "  - [x] two",
        "    - [X] three", "      - [ ] four", "\t- [ ] tab-indented", "```js",
        "const a = '- [ ] not an item';", "```", "\tTabbed\ttext\twith\ttabs",
        "Emoji ✅ 🔄 📋 → done"])
    outcome = import_plan(text.encode())

    exported = export_markdown(Release.objects.get(key=outcome.release_key))

    assert missing_lines(text, exported) == []
