"""Print the demo logins that exist in this database, with the demo's two-factor secret."""

from django.core.management.base import BaseCommand

from demo.seed import DEMO_LOGINS, DEMO_PASSWORD
from people.models import User
from people.twofactor import DEMO_TOTP_KEY, current_code, secret_text


class Command(BaseCommand):
    help = "Print the demo accounts, their password and the demo's two-factor secret."

    def handle(self, *args, **options):
        accounts = {
            user.username: user
            for user in User.objects.filter(username__in=[u for u, _ in DEMO_LOGINS])
        }
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for username, what in DEMO_LOGINS:
            if username in accounts:
                code = "  + code" if accounts[username].requires_two_factor else ""
                self.stdout.write(f"  {username:<15} {what}{code}")
        if any(user.requires_two_factor for user in accounts.values()):
            self.stdout.write(
                "Accounts marked '+ code' log in with a one-time code after the password "
                "(two-factor login).\n"
                f"  Demo secret (DEMO ONLY, public): {secret_text(DEMO_TOTP_KEY)}\n"
                "  Add it to an authenticator app, or read the code on the code page (shown "
                "on the demo only),\n"
                "  or print it: .venv/bin/python manage.py totp_code county\n"
                f"  Code now (valid about 30 s): {current_code(DEMO_TOTP_KEY)}"
            )
