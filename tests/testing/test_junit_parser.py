"""The JUnit reader on its own: the shapes pytest, Maven Surefire and Jest write, and refusals."""

import pytest

from tminus.testing.junit import JUnitError, parse_junit

SUREFIRE = b"""<?xml version="1.0" encoding="UTF-8"?>
<testsuite xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="com.shop.OrderTest"
           time="0.52" tests="3" errors="0" skipped="1" failures="1">
  <properties><property name="java.version" value="21"/></properties>
  <testcase name="createsOrder" classname="com.shop.OrderTest" time="0.2"/>
  <testcase name="rejectsEmptyCart" classname="com.shop.OrderTest" time="0.1">
    <failure message="expected: &lt;400&gt; but was: &lt;200&gt;"
             type="org.opentest4j.AssertionFailedError">stack</failure>
  </testcase>
  <testcase name="bulkOrders" classname="com.shop.OrderTest" time="0">
    <skipped message="slow"/>
  </testcase>
</testsuite>"""

JEST = b"""<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="2" failures="1" errors="0" time="1.2">
  <testsuite name="cart" errors="0" failures="1" skipped="0" timestamp="2026-03-01T10:00:00"
             time="1.1" tests="2">
    <testsuite name="totals">
      <testcase classname="cart totals adds tax" name="cart totals adds tax" time="0.01"/>
      <testcase classname="cart totals rounds" name="cart totals rounds" time="0.02">
        <failure>Error: expect(received).toBe(expected)</failure>
      </testcase>
    </testsuite>
  </testsuite>
</testsuites>"""


def test_parse_junit_reads_surefire_outcomes_and_messages():
    report = parse_junit(SUREFIRE)

    outcomes = {case.name: case.outcome for case in report.cases}
    assert outcomes == {"createsOrder": "passed", "rejectsEmptyCart": "failed",
                        "bulkOrders": "skipped"}
    failed = next(c for c in report.cases if c.outcome == "failed")
    assert failed.message.startswith("expected: <400> but was: <200>")
    assert failed.key == "com.shop.OrderTest::rejectsEmptyCart"


def test_parse_junit_reads_jest_nested_suites_and_timestamp():
    report = parse_junit(JEST)

    assert [c.outcome for c in report.cases] == ["passed", "failed"]
    assert report.timestamp.isoformat() == "2026-03-01T10:00:00"


def test_parse_junit_reads_a_file_pytest_wrote(junit_file):
    report = parse_junit(junit_file.read_bytes())

    outcomes = {case.name: case.outcome for case in report.cases}
    assert outcomes == {"test_adds_up": "passed", "test_takes_away": "failed",
                        "test_later": "skipped", "test_needs_database": "failed"}
    errored = next(c for c in report.cases if c.name == "test_needs_database")
    assert errored.message.startswith("Error: failed on setup")
    assert report.timestamp.tzinfo is not None


def test_parse_junit_keeps_the_worse_result_of_a_test_listed_twice():
    report = parse_junit(b'<testsuite><testcase classname="a" name="t"/>'
                         b'<testcase classname="a" name="t"><failure/></testcase></testsuite>')

    assert [(c.key, c.outcome) for c in report.cases] == [("a::t", "failed")]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty"),
    (b"this is not xml at all", "not XML"),
    (b"<html><body>Gateway timeout</body></html>", "root element is <html>"),
    (b"<testsuites><testsuite name='none'/></testsuites>", "no <testcase>"),
    (b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
     b"<testsuite><testcase name='&lol2;'/></testsuite>", "DTD or entities"),
    (b"<testsuite><testcase classname='x'/></testsuite>", "no name"),
])
def test_parse_junit_refuses_what_is_not_junit_with_a_reason(content, message):
    with pytest.raises(JUnitError, match=message):
        parse_junit(content)
