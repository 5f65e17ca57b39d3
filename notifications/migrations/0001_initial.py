# The models care kept until now, taken over with their tables (care_notification,
# care_notificationpreference) and rows: only Django's record of the models is written here;
# care's 0008 removes them from care's record.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('care', '0007_concern_overdue_notification'),  # which made the tables
        ('children', '0011_processing_basis'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='NotificationPreference',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email_at_once', models.BooleanField(default=True, verbose_name="e-mail me at once about reports of concern and changes in a child's situation")),
                        ('daily_digest', models.BooleanField(default=True, verbose_name='e-mail me a daily digest')),
                        ('digest_sent_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='notification_preference', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'notification preference',
                        'db_table': 'care_notificationpreference',
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('due', 'visit due'), ('overdue', 'visit overdue'), ('escalated', 'special-attention child overdue'), ('report', 'report of concern'), ('report_overdue', 'report of concern overdue'), ('change', "change in a child's situation"), ('concern_overdue', 'concern past its due date')], max_length=16)),
                        ('day', models.DateField()),
                        ('text', models.CharField(max_length=300)),
                        ('link', models.CharField(blank=True, max_length=200)),
                        ('read', models.BooleanField(default=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('child', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='children.child')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'care_notification',
                        'ordering': ['read', '-created_at'],
                        'constraints': [models.UniqueConstraint(fields=('recipient', 'kind', 'child', 'day'), name='one_notification_per_day')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
