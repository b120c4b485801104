"""Bring back a deleted meeting, with the attendees and outcome items deleted with it.

    manage.py restore_meeting 2023-01-12-defense-ministers     # by its slug
    manage.py restore_meeting --list                           # the deleted meetings, newest first
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from meetings.services import deleted_meetings, restore_meeting


class Command(BaseCommand):
    help = "Restore a deleted meeting (by slug) with its attendees and outcome items, under their ids."

    def add_arguments(self, parser):
        parser.add_argument("slug", nargs="?")
        parser.add_argument("--list", action="store_true", help="list the deleted meetings")

    def handle(self, *args, slug=None, list=False, **options):
        deleted = deleted_meetings()
        if list or not slug:
            for version in deleted:
                who = version.history_user.get_username() if version.history_user else "(no user)"
                self.stdout.write(f"{version.slug}\tdeleted {version.history_date:%Y-%m-%d %H:%M} by {who}")
            if not deleted:
                self.stdout.write("No deleted meeting.")
            return
        found = [version for version in deleted if version.slug == slug]
        if not found:
            raise CommandError(f"No deleted meeting has the slug {slug!r}; `restore_meeting --list` lists them.")
        try:
            meeting = restore_meeting(found[0].id)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages))
        self.stdout.write(f"Restored {meeting.slug}: {meeting.attendances.count()} attendees, "
                          f"{meeting.outcomes.count()} outcome items.")
