"""Load the national statistical division lists shipped with Shouhu."""

from django.core.management.base import BaseCommand, CommandError

from areas.services import load_divisions


class Command(BaseCommand):
    help = "Load provinces, cities, counties and townships (all, or one county's branch)."

    def add_arguments(self, parser):
        parser.add_argument("--county", help="6-digit county code, e.g. 341623 (Lixin)")

    def handle(self, *args, county=None, **options):
        if county is not None and not (len(county) == 6 and county.isdigit()):
            raise CommandError("--county takes a 6-digit county code, e.g. 341623")
        try:
            report = load_divisions(county)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        created = ", ".join(f"{level}: {n}" for level, n in report.created.items())
        self.stdout.write(f"Created {created}; renamed {report.renamed}.")
        for reason in report.skipped:
            self.stdout.write(f"Skipped {reason}")
