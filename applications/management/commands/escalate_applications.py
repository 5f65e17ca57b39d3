from django.core.management.base import BaseCommand

from applications.services import escalate_overdue


class Command(BaseCommand):
    help = (
        "Send applications whose step is past its deadline (working days) to the next level "
        "(daily, cron); each overdue step once."
    )

    def handle(self, *args, **options):
        count = escalate_overdue()
        self.stdout.write(f"{count} applications escalated")
