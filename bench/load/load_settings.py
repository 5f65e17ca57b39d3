"""Settings of the load test: the production settings, with static files collected into the
load test's temporary directory instead of var/static (other work may use that one).

bench/load/run.py puts bench/load on PYTHONPATH and sets DJANGO_SETTINGS_MODULE=load_settings
for manage.py and gunicorn; everything else (DEBUG off, WhiteNoise's manifest storage,
PostgreSQL from DATABASE_URL, CONN_MAX_AGE=60) is shouhu.settings unchanged.
"""

import os

from shouhu.settings import *  # noqa: F403

STATIC_ROOT = os.environ["SHOUHU_LOAD_STATIC_ROOT"]
