"""Test settings: the production settings, on SQLite or on TMINUS_TEST_DATABASE_URL."""

import os
import tempfile

_test_database_url = os.environ.get("TMINUS_TEST_DATABASE_URL", "")
if _test_database_url:
    os.environ["DATABASE_URL"] = _test_database_url
else:
    os.environ.pop("DATABASE_URL", None)
os.environ["TMINUS_DATA_DIR"] = tempfile.mkdtemp(prefix="tminus-test-")
# The suite's own receivers (webhooks, SMTP, Prometheus) listen on loopback; the SSRF tests take
# this allowance away again to see internal addresses refused.
os.environ["TMINUS_OUTBOUND_ALLOW"] = "127.0.0.0/8,::1/128"
os.environ.setdefault("TMINUS_SECRET_KEY", "test-only-secret-key-that-is-long-enough-0123456789")

from tminus.settings import *  # noqa: E402,F403

# Server threads in tests (live_server, uvicorn) close their connection after each request (on
# PostgreSQL: give it back to the pool, which Django closes before dropping the test database), so
# no session outlives its test and the test database can be flushed and dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, as in production, not Django's shared in-memory database: the live server's
    # request threads then get connections of their own (WAL, busy timeout) instead of sharing
    # the test's, which made two overlapping page requests fail with "table is locked".
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(os.environ["TMINUS_DATA_DIR"], "test.sqlite3")}

# Fast hashing keeps the suite quick; production keeps Django's default PBKDF2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_AUTOREFRESH = True
