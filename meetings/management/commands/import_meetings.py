"""manage.py import_meetings FILE --source SLUG [--dry-run] [--update]: a white paper's table of
meetings (the layout of Figure III-2-1-3) as draft meetings, through the write path."""

from django.core.management.base import BaseCommand, CommandError

from alliance.models import Source
from meetings.importer import Errata, TableError, apply_import, plan_import, read_table, report


class Command(BaseCommand):
    help = ("Import a table of meetings (date, meeting/place, attendees, outcome items) as draft meetings. "
            "Nothing is written when a line cannot be read, or with --dry-run.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="The table as UTF-8 text: a header line per printed page, tab-separated rows.")
        parser.add_argument("--source", required=True,
                            help="Slug of the Source of the table's first page (its figure and publication); the "
                                 "sources of the next pages are found, or created from it, by page number.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would be created, changed and not resolved.")
        parser.add_argument("--update", action="store_true",
                            help="Also write what the table says of meetings already in the database that differ "
                                 "(only the fields the table gives; English, topics, provisions and notes are kept).")
        parser.add_argument("--errata", help="A scan-errata YAML file instead of meetings/scan_errata.yaml.")

    def handle(self, *args, **options):
        try:
            text = open(options["file"], encoding="utf-8-sig").read()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{options['file']}: cannot be read as UTF-8 text ({error})") from None
        source = Source.objects.filter(slug=options["source"]).select_related("publication").first()
        if source is None:
            raise CommandError(f"--source {options['source']}: no source has that slug (see /admin/alliance/source/)")
        try:
            errata = Errata(options["errata"]) if options["errata"] else Errata()
        except (OSError, ValueError) as error:
            raise CommandError(f"--errata: {error}") from None
        try:
            plan = plan_import(read_table(text), source=source, errata=errata)
            self.report(plan, options["dry_run"], options["update"])
            if not options["dry_run"]:
                apply_import(plan, update=options["update"], reason=f"imported from {options['file']}")
        except TableError as error:
            raise CommandError(f"{options['file']}, {error}. Nothing was imported.") from None
        if not options["dry_run"]:
            self.stdout.write(self.style.SUCCESS(plan.summary(options["update"])))

    def report(self, plan, dry_run, update):
        for level, line in report(plan, dry_run=dry_run, update=update):
            self.stdout.write(self.style.WARNING(line) if level == "warning" else line)
