"""Real JUnit XML, written by pytest itself in a subprocess from a tiny generated test file."""

import os
import subprocess
import sys
import textwrap

SAMPLE_TESTS = textwrap.dedent('''
    import pytest


    def test_adds_up():
        assert 1 + 1 == 2


    def test_takes_away():
        assert 3 - 1 == 1


    @pytest.mark.skip(reason="not ready yet")
    def test_later():
        pass


    @pytest.fixture
    def broken_database():
        raise RuntimeError("database is down")


    def test_needs_database(broken_database):
        pass
''')


def junit_written_by_pytest(directory, source: str = SAMPLE_TESTS,
                            name: str = "test_sample.py") -> bytes:
    """Run pytest on a generated test file and return the JUnit XML it wrote."""
    (directory / name).write_text(source)
    (directory / "pytest.ini").write_text("[pytest]\n")
    report = directory / "report.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-c", str(directory / "pytest.ini"), "--rootdir", str(directory),
         f"--junitxml={report}", str(directory / name)],
        cwd=directory, capture_output=True, check=False, timeout=120,
        # Only pytest itself: the plugins installed here (Django, browsers) are not needed.
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    return report.read_bytes()
