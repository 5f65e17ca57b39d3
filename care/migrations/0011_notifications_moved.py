# Notifications moved to their own app (notifications): only Django's record of the models
# changes; the tables care_notification and care_notificationpreference stay, with their rows,
# and notifications' models use them (db_table).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('care', '0010_remove_revisions'),
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='Notification'),
                migrations.DeleteModel(name='NotificationPreference'),
            ],
            database_operations=[],
        ),
    ]
