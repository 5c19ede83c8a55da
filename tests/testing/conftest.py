"""Fixtures for the testing area: a JUnit XML file pytest wrote."""

import pytest

from tests.testing.junit_files import junit_written_by_pytest


@pytest.fixture(scope="session")
def junit_file(tmp_path_factory):
    """A JUnit XML file pytest wrote: one pass, one failure, one skip, one error."""
    directory = tmp_path_factory.mktemp("junit")
    junit_written_by_pytest(directory)
    return directory / "report.xml"
