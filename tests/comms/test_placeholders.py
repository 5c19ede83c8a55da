from tminus.comms.placeholders import escape, placeholders_in, render


def test_render_known_placeholders_fills_them_in():
    result = render("Hi {name}, {when} it is", {"name": "Ann", "when": "Friday"})
    assert result.text == "Hi Ann, Friday it is"
    assert result.ok


def test_render_unknown_placeholder_is_reported_and_left_out_of_ok():
    result = render("Call {support_phone}", {"name": "Ann"})
    assert result.unknown == ["support_phone"]
    assert result.errors == ["Unknown placeholder {support_phone}."]
    assert not result.ok


def test_render_double_braces_write_literal_braces():
    result = render('JSON looks like {{"a": 1}} for {name}', {"name": "Ann"})
    assert result.text == 'JSON looks like {"a": 1} for Ann'
    assert result.ok


def test_render_lone_brace_and_attribute_access_are_refused():
    assert render("a { b", {}).malformed
    assert render("{name.__class__}", {"name": "x"}).malformed


def test_render_custom_placeholder_without_value_is_a_gap_not_an_error():
    result = render("Mail {support_email}", {"support_email": ""}, {"support_email"})
    assert result.errors == []
    assert "no value yet" in result.gaps[0]


def test_escape_then_render_gives_the_text_back():
    text = "{weird} } {"
    assert render(escape(text), {}).text == text
    assert placeholders_in("{a} {b} {a}") == ["a", "b"]
