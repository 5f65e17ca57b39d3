"""DEMO ONLY: print the current one-time code of a demo account enrolled with the demo
secret, for logging in without an authenticator app."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from people.twofactor import DEMO_TOTP_KEY, current_code


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (SHOUHU_DEMO=1 only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.DEMO:
            raise CommandError("Only on the demo (SHOUHU_DEMO=1).")
        demo_device = TOTPDevice.objects.filter(
            user__username=username, key=DEMO_TOTP_KEY, confirmed=True
        )
        if not demo_device.exists():
            raise CommandError(f"{username} is not a demo account with the demo secret.")
        self.stdout.write(current_code(DEMO_TOTP_KEY))
