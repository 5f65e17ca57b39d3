# Joins the applications' and the referrals' notification kinds (made side by side).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_application_overdue_kind'),
        ('notifications', '0002_referral_and_summary_kinds'),
    ]

    operations = [
    ]
