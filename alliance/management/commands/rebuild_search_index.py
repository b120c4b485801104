"""Rebuild the search index from scratch: `manage.py rebuild_search_index [--kind meeting ...]`."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from alliance.search.index import REGISTRY, rebuild


class Command(BaseCommand):
    help = "Rebuild the search index of every searchable kind (or of the kinds named) from scratch."

    def add_arguments(self, parser):
        parser.add_argument("--kind", action="append", dest="kinds", metavar="KIND",
                            help=f"only this kind; one of {', '.join(REGISTRY)} (repeatable)")

    def handle(self, *args, kinds=None, **options):
        unknown = sorted(set(kinds or []) - set(REGISTRY))
        if unknown:
            raise CommandError(f"Unknown kind {', '.join(unknown)}; the kinds are {', '.join(REGISTRY)}.")
        with transaction.atomic():
            counts = rebuild(kinds)
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count} indexed")
