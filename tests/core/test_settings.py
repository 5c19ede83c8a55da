import importlib
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tminus import conf

DOCS = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def test_settings_docs_name_every_setting_the_code_reads():
    import tminus.settings  # noqa: F401  (reading it fills conf.DECLARED)

    documented = set(re.findall(r"^\| `([A-Z0-9_]+)`", DOCS.read_text(), flags=re.MULTILINE))
    missing = sorted(set(conf.DECLARED) - documented)
    assert not missing, f"Settings missing from docs/settings.md: {missing}"


def test_env_bool_with_unclear_value_stops_start_up(monkeypatch):
    monkeypatch.setenv("TMINUS_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="TMINUS_DEBUG must be true or false"):
        conf.env_bool("TMINUS_DEBUG", False)


def test_env_int_below_minimum_stops_start_up(monkeypatch):
    monkeypatch.setenv("TMINUS_WORKER_POLL_SECONDS", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        conf.env_int("TMINUS_WORKER_POLL_SECONDS", 2, minimum=1)


def test_database_url_with_other_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="postgres://"):
        conf.database_from_url("mysql://localhost/tminus")


def test_database_url_for_postgres_becomes_django_settings():
    database = conf.database_from_url("postgres://me:s%40cret@db.internal:6543/tminus")
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["USER"], database["PASSWORD"]) == ("me", "s@cret")
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.internal", "6543",
                                                                       "tminus")


def test_secret_key_is_generated_once_per_data_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("TMINUS_SECRET_KEY", raising=False)
    first = conf.secret_key_for(tmp_path)
    assert len(first) > 40
    assert conf.secret_key_for(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_short_secret_key_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("TMINUS_SECRET_KEY", "short")
    with pytest.raises(ImproperlyConfigured, match="at least 32"):
        conf.secret_key_for(tmp_path)


def test_settings_module_reloads_with_sqlite_when_no_database_url(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("TMINUS_DATA_DIR", str(tmp_path))
    import tminus.settings as settings_module

    reloaded = importlib.reload(settings_module)
    database = reloaded.DATABASES["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "tminus.sqlite3")
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
