"""Reading JUnit XML, the format pytest, Maven Surefire, Jest and most test runners write.

<testsuites> or <testsuite> at the root, suites nested to any depth, and <testcase> elements
whose <failure>, <error> or <skipped> child says how the test ended (no child: it passed).
Parsing goes through defusedxml: a file that declares a DTD or entities is refused, so an
uploaded file cannot expand entities or reach out to external resources.
"""

from dataclasses import dataclass, field
from datetime import datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
# When one file holds the same test twice, the worse result stands.
_SEVERITY = {PASSED: 0, SKIPPED: 1, FAILED: 2}
MESSAGE_LIMIT = 4000
WRITERS = "pytest --junitxml, Maven Surefire, jest-junit and most other test runners"


class JUnitError(ValueError):
    """A file that is not JUnit XML; the message says what is wrong with it."""


@dataclass
class JUnitCase:
    classname: str
    name: str
    outcome: str
    message: str = ""
    duration: float | None = None

    @property
    def key(self) -> str:
        """The identity of the test across uploads: classname and name."""
        return f"{self.classname}::{self.name}" if self.classname else self.name


@dataclass
class JUnitReport:
    cases: list[JUnitCase] = field(default_factory=list)
    timestamp: datetime | None = None
    suite_name: str = ""

    def count(self, outcome: str) -> int:
        return sum(case.outcome == outcome for case in self.cases)


def parse_junit(data: bytes | str) -> JUnitReport:
    """The test cases of a JUnit XML document, or JUnitError saying why it is not one."""
    if not (data or "").strip():
        raise JUnitError(f"The file is empty; expected JUnit XML as written by {WRITERS}.")
    root = _parse_xml(data)
    tag = _local(root.tag)
    if tag not in ("testsuites", "testsuite"):
        raise JUnitError(f"This is XML but not JUnit: the root element is <{tag}>, where "
                         f"JUnit XML has <testsuites> or <testsuite>.")
    cases = _merge(_case(element) for element in root.iter() if _local(element.tag) ==
                   "testcase")
    if not cases:
        raise JUnitError("The JUnit file has no <testcase> elements, so there is nothing to "
                         "record.")
    return JUnitReport(cases=cases, timestamp=_timestamp(root), suite_name=_suite_name(root))


def _parse_xml(data: bytes | str) -> Element:
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise JUnitError("The file declares a DTD or entities, which JUnit XML never needs; "
                         "it was refused for safety.") from None
    except ParseError as error:
        raise JUnitError(f"The file is not XML ({error}); expected JUnit XML as written by "
                         f"{WRITERS}.") from None


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else str(tag)


def _case(element: Element) -> JUnitCase:
    name = (element.get("name") or "").strip()
    if not name:
        raise JUnitError("A <testcase> has no name attribute; every JUnit test case needs one.")
    outcome, message = PASSED, ""
    for child in element:
        tag = _local(child.tag)
        if tag in ("failure", "error"):
            outcome = FAILED
            message = _message(child, prefix="Error: " if tag == "error" else "")
            break
        if tag == "skipped":
            outcome, message = SKIPPED, _message(child)
    return JUnitCase(classname=(element.get("classname") or "").strip(), name=name,
                     outcome=outcome, message=message, duration=_seconds(element.get("time")))


def _message(element: Element, prefix: str = "") -> str:
    text = element.get("message") or ""
    detail = (element.text or "").strip()
    if detail and detail not in text:
        text = f"{text}\n{detail}" if text else detail
    return (prefix + text.strip())[:MESSAGE_LIMIT]


def _seconds(value: str | None) -> float | None:
    try:
        return float(value.replace(",", "")) if value else None
    except ValueError:
        return None


def _merge(cases) -> list[JUnitCase]:
    merged: dict[str, JUnitCase] = {}
    for case in cases:
        kept = merged.get(case.key)
        if kept is None or _SEVERITY[case.outcome] > _SEVERITY[kept.outcome]:
            merged[case.key] = case
    return list(merged.values())


def _suites(root: Element):
    return (e for e in root.iter() if _local(e.tag) in ("testsuite", "testsuites"))


def _timestamp(root: Element) -> datetime | None:
    for suite in _suites(root):
        value = suite.get("timestamp")
        if value:
            try:
                return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                continue
    return None


def _suite_name(root: Element) -> str:
    for suite in _suites(root):
        if suite.get("name"):
            return suite.get("name").strip()[:200]
    return ""
