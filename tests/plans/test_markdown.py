"""The Markdown reader: every line in exactly one element, headings as a tree, fields, boxes."""

from tminus.plans import markdown


def kinds(text: str) -> list[str]:
    return [element.kind for element in markdown.parse_elements(text)]


def test_parse_elements_puts_every_line_in_exactly_one_element():
    text = "# T\n\ntext\n- a\n  - [x] b\n| h | i |\n|---|---|\n| 1 |\n```\n# not a heading\n```\n"
    elements = markdown.parse_elements(text)

    assert [line for e in elements for line in e.lines] == text.splitlines()
    assert kinds(text) == ["heading", "blank", "text", "item", "item", "table", "fence"]


def test_parse_elements_reads_crlf_and_lone_cr_line_ends_as_lf():
    assert kinds("# A\r\n- [ ] one\r- [x] two\r\n") == ["heading", "item", "item"]


def test_checkbox_items_keep_state_box_and_nesting_indent_with_tabs_counted_as_four():
    first, second, third = markdown.parse_elements("- [ ] open\n\t- [X] done\n  * [x] also")

    assert (first.checked, first.box, first.indent, first.text) == (False, "[ ]", 0, "open")
    assert (second.checked, second.box, second.indent) == (True, "[X]", 4)
    assert (third.checked, third.marker, third.indent) == (True, "*", 2)


def test_table_with_missing_cells_is_padded_and_delimiter_row_dropped():
    (table,) = markdown.parse_elements("| Risk | Impact | Mitigation |\n|---|---|---|\n| Late |")

    assert table.rows == [["Risk", "Impact", "Mitigation"], ["Late", "", ""]]
    assert len(table.lines) == 3


def test_fence_keeps_headings_and_boxes_inside_as_code_until_closed():
    elements = markdown.parse_elements("```\n# x\n- [ ] y\n```\n# real")

    assert kinds("```\n# x\n- [ ] y\n```\n# real") == ["fence", "heading"]
    assert elements[0].lines == ["```", "# x", "- [ ] y", "```"]


def test_unclosed_fence_runs_to_the_end_without_losing_lines():
    (fence,) = markdown.parse_elements("~~~yaml\na: 1\n")

    assert fence.info == "yaml" and fence.lines == ["~~~yaml", "a: 1"]


def test_html_block_runs_to_the_blank_line_and_comment_to_its_end():
    text = "<div class='x'>\n**not bold**\n</div>\n\n<!-- a\n\nb -->\n- item"

    assert kinds(text) == ["html", "blank", "html", "item"]


def test_a_lone_less_than_sign_is_text_not_html():
    assert kinds("<2 second page load") == ["text"]


def test_parse_sections_builds_the_heading_tree_with_parents():
    root = markdown.parse_sections("intro\n# A\n## B\ntext\n### C\n## D\n")

    titles = [(s.level, s.title) for s in root.walk()]
    assert titles == [(0, ""), (1, "A"), (2, "B"), (3, "C"), (2, "D")]
    c_section = next(s for s in root.walk() if s.title == "C")
    assert c_section.path() == ["A", "B", "C"]
    assert [e.text for e in root.elements] == ["intro"]


def test_fields_in_reads_plain_bold_and_several_bold_fields_on_one_line():
    line = "**Responsible**: _____ **Due Date**: 2026-01-05 **Status**: Complete ☐ Issues ☒"
    found = markdown.fields_in(line)

    assert [(f.key, f.value) for f in found] == [
        ("Responsible", "_____"), ("Due Date", "2026-01-05"),
        ("Status", "Complete ☐ Issues ☒")]
    assert markdown.fields_in("Release Date: 2024-12-05")[0].value == "2024-12-05"
    assert markdown.fields_in("- **Release Frequency**: Monthly")[0].key == "Release Frequency"
    assert markdown.fields_in("**Key:** value")[0].value == "value"


def test_fields_in_ignores_long_sentences_with_a_colon():
    assert markdown.fields_in("We will do many things later on in the year: really") == []


def test_replace_values_rewrites_only_the_value_in_place():
    line = "  **Responsible**: ___ **Due Date**: ___"
    found = markdown.fields_in(line)

    assert markdown.replace_values(line, {1: "2026-01-05"}, found) == (
        "  **Responsible**: ___ **Due Date**: 2026-01-05")


def test_choices_in_reads_ticked_and_empty_boxes():
    assert markdown.choices_in("Go ☐ No-Go ☒") == [("Go", False), ("No-Go", True)]
    assert markdown.choices_in("☐") == [("", False)]
    assert markdown.choices_in("plain") is None


def test_is_placeholder_knows_blanks_brackets_and_tbd():
    for value in ("", "_____", "[To be determined]", "TBD", "N/A", "NA", "[FILL_IN]"):
        assert markdown.is_placeholder(value), value
    assert not markdown.is_placeholder("Maria")


def test_emoji_and_odd_unicode_stay_in_item_text():
    (item,) = markdown.parse_elements("- ✅ User authentication 🎉 (Buyers)")

    assert item.text == "✅ User authentication 🎉 (Buyers)"
