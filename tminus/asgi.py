import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tminus.settings")
application = get_asgi_application()

# SDK polls that find nothing changed are answered before Django (see tminus/flags/fast_path.py).
from tminus.flags.fast_path import client_api_fast_path  # noqa: E402

application = client_api_fast_path(application)
