from django.core.management.base import BaseCommand

from concerns.services import escalate_overdue


class Command(BaseCommand):
    help = "Send reports of concern past their deadline to the county's officers (hourly, cron)."

    def handle(self, *args, **options):
        count = escalate_overdue()
        self.stdout.write(f"{count} reports escalated")
