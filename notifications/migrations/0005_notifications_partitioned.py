from django.db import migrations

from core import partitions


def partition(apps, schema_editor):
    partitions.convert(schema_editor, partitions.NOTIFICATIONS)


def unpartition(apps, schema_editor):
    partitions.unconvert(schema_editor, partitions.NOTIFICATIONS)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_all_kinds")]

    operations = [
        # PostgreSQL: notifications split by month of their day (core.partitions); SQLite keeps one table.
        migrations.RunPython(partition, unpartition),
    ]
