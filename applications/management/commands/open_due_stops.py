from django.core.management.base import BaseCommand

from applications.services import open_due_stops


class Command(BaseCommand):
    help = (
        "Open a stop for measures of approved applications whose child turned 18 and is not "
        "in full-time school, or whose record was closed (daily, cron); the county decides."
    )

    def handle(self, *args, **options):
        count = open_due_stops()
        self.stdout.write(f"{count} stops opened")
