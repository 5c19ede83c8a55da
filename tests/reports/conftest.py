from tests.outcomes.conftest import live_release  # noqa: F401  (shared helper)
