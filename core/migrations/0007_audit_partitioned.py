from django.db import migrations

from core import partitions


class Migration(migrations.Migration):
    dependencies = [("core", "0006_audit_reader_hour")]

    # PostgreSQL: the audit log split by month (core.partitions); SQLite keeps one table.
    operations = [partitions.migration(partitions.AUDIT)]
