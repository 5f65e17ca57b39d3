from django.core.management.base import BaseCommand

from referrals.services import escalate_overdue


class Command(BaseCommand):
    help = (
        "Send referrals not answered by their due date to the township's supervisors, and "
        "those still unanswered a week later to the county's officers (daily, cron)."
    )

    def handle(self, *args, **options):
        count = escalate_overdue()
        self.stdout.write(f"{count} referrals escalated")
