"""Give every county the default relief programmes it is missing (idempotent)."""

from django.core.management.base import BaseCommand

from areas.codes import COUNTY
from areas.models import Area
from relief.catalogue import ensure_catalogue


class Command(BaseCommand):
    help = (
        "Create the default relief programmes (without amounts) for every county that is "
        "missing some. Programmes a county renamed or stopped using are left alone."
    )

    def handle(self, *args, **options):
        counties = Area.objects.filter(level=COUNTY).order_by("code")
        total = 0
        for county in counties:
            created = ensure_catalogue(county)
            total += created
            if created:
                self.stdout.write(f"{county.code} {county.name}: {created} programmes added.")
        self.stdout.write(f"{counties.count()} counties checked, {total} programmes added.")
