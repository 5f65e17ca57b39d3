"""WSGI entry point (gunicorn shouhu.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouhu.settings")
application = get_wsgi_application()

# Pinyin's dictionaries and the other objects loaded at start-up live as long as the
# process: move them out of the garbage collector's sight, so that a full collection during
# a request does not walk hundreds of thousands of them (about 150 ms each time).
import children.names  # noqa: E402, F401  (loads pypinyin's data now, before freezing)

gc.collect()
gc.freeze()
