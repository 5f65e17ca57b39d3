from django.db import migrations

from core import partitions


def partition(apps, schema_editor):
    partitions.convert(schema_editor, partitions.AUDIT)


def unpartition(apps, schema_editor):
    partitions.unconvert(schema_editor, partitions.AUDIT)


class Migration(migrations.Migration):
    dependencies = [("core", "0006_audit_reader_hour")]

    operations = [
        # PostgreSQL: the audit log split by month (core.partitions); SQLite keeps one table.
        migrations.RunPython(partition, unpartition),
    ]
