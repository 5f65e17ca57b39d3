from django.db import migrations

from core import partitions


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_all_kinds")]

    # PostgreSQL: notifications split by month of their day (core.partitions); SQLite keeps one table.
    operations = [partitions.migration(partitions.NOTIFICATIONS)]
