"""The production ASGI application as a server process loads it."""

import os
import subprocess
import sys


def test_it_leaves_what_startup_loaded_out_of_the_garbage_collectors_scans(tmp_path):
    # A full collection used to scan every object Django and the views are made of (about
    # 150,000), stopping all requests for a moment; frozen, only what requests create is scanned.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tminus.settings",
           "TMINUS_DATA_DIR": str(tmp_path)}
    probe = ("import gc, tminus.asgi; "
             "print(gc.get_freeze_count(), len(gc.get_objects()))")

    frozen, scanned = map(int, subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True,
    ).stdout.split())

    assert frozen > 50_000
    assert scanned < frozen / 10
