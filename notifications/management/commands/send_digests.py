from django.core.management.base import BaseCommand

from notifications.notify import send_digests


class Command(BaseCommand):
    help = "E-mail each user's daily digest of unread notifications (the scheduler: 07:00)."

    def handle(self, *args, **options):
        self.stdout.write(f"{send_digests()} digests sent")
