"""Load the curated data into a database that does not hold it yet.

`make run` calls this on every start. Loading the fixtures over a database that curators have
been editing would silently undo their edits, so a database that already holds the curated
publication is left alone unless --force is given.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from alliance.models import Publication

FIXTURES = ["alliance", "guidelines", "meetings"]
CURATED_PUBLICATION = "defense-of-japan-2023"


class Command(BaseCommand):
    help = "Load the curated fixtures unless the database already holds them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even if the data is there: records the fixtures define are reset to the fixtures' version.",
        )

    def handle(self, *args, force=False, **options):
        if not force and Publication.objects.filter(slug=CURATED_PUBLICATION).exists():
            self.stdout.write("Curated data already loaded; left as it is (use --force to reload it).")
            return
        call_command("loaddata", *FIXTURES, verbosity=options["verbosity"])
