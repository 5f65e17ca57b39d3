"""The database cache's table (settings.CACHES from CACHE_URL, the default), made wherever
migrate runs: the login lockout's counters and the throttles live there. Does nothing for
Redis or locmem caches; `manage.py createcachetable` does the same by hand."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_audit_actor_do_nothing"),
    ]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
