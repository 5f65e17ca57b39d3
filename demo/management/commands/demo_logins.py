"""Print the demo logins that exist in this database."""

from django.core.management.base import BaseCommand

from demo.seed import DEMO_LOGINS, DEMO_PASSWORD
from people.models import User


class Command(BaseCommand):
    help = "Print the demo accounts and their password."

    def handle(self, *args, **options):
        existing = set(
            User.objects.filter(username__in=[u for u, _ in DEMO_LOGINS]).values_list(
                "username", flat=True
            )
        )
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for username, what in DEMO_LOGINS:
            if username in existing:
                self.stdout.write(f"  {username:<15} {what}")
