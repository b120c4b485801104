"""Load the curated data, or bring a database that holds it up to date with the fixtures.

`make run` calls this on every start. An empty database gets the fixtures. A database that holds
them gets the corrections the fixtures have had since it was last loaded, field by field, and
keeps every field a curator has changed (alliance.curated): it says what it created, updated,
and kept. `--force` resets every record the fixtures define to the fixtures' version.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from alliance import curated, history
from alliance.models import Publication

CURATED_PUBLICATION = "defense-of-japan-2023"


class Command(BaseCommand):
    help = "Load the curated fixtures, or apply their corrections without undoing curators' edits."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Reset the records the fixtures define to the fixtures' version, curators' edits included.",
        )

    def handle(self, *args, force=False, **options):
        verbosity = options["verbosity"]
        if force or not Publication.objects.filter(slug=CURATED_PUBLICATION).exists():
            call_command("loaddata", *curated.FIXTURES, verbosity=verbosity)
            curated.record_baselines()
            history.record_loaded(history.versioned_models())  # every record's first version
            return
        report = curated.update()
        history.record_loaded(history.versioned_models())  # records loaded before versions were kept
        if verbosity:
            if not (report.created or report.updated or report.kept or report.not_restored):
                self.stdout.write("Curated data up to date; nothing to change.")
                return
            self.stdout.write("Curated data brought up to date; curators' edits kept:")
            for line in report.lines():
                self.stdout.write(line)
