import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tminus.settings")
application = get_asgi_application()

# SDK polls that find nothing changed are answered before Django (see tminus/flags/fast_path.py).
from django.urls import get_resolver  # noqa: E402

from tminus.flags.fast_path import client_api_fast_path  # noqa: E402

application = client_api_fast_path(application)

# What is loaded now (Django, every view through the URL patterns, the libraries) lives as long
# as the process. Frozen, the garbage collector stops scanning it: a full collection of the
# ~150,000 objects otherwise stopped every request for 0.1-1 s now and then, which was the
# client API's p99. See docs/flags.md ("Speed").
get_resolver().url_patterns  # noqa: B018  (imports every view now rather than on a first request)
gc.collect()
gc.freeze()
