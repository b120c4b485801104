"""Back the database up to one file, while the site runs: `manage.py backup_database [--output FILE]`.

- SQLite: SQLite's online backup (a consistent copy page by page, writers wait only for a
  moment), into a database file of its own;
- PostgreSQL: `pg_dump --format=custom` (one consistent snapshot; restore with pg_restore, or
  with `manage.py restore_database`).

The default file is backups/alliance-<database>-<UTC time>.sqlite3 or .dump. The command prints
the file's name and size, and fails (non-zero status) with pg_dump's own message when it does.
"""

import datetime
import os
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections


def postgres_environment(database):
    """pg_dump's and pg_restore's connection, from the Django database settings."""
    env = {**os.environ, "PGHOST": str(database.get("HOST") or ""), "PGPORT": str(database.get("PORT") or ""),
           "PGUSER": str(database.get("USER") or ""), "PGDATABASE": str(database["NAME"])}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return {name: value for name, value in env.items() if value != ""}


class Command(BaseCommand):
    help = "Back the database up to one file (SQLite's online backup, or pg_dump's custom format), while the site runs."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="the backup file (default: backups/alliance-<database>-<UTC time>.*)")
        parser.add_argument("--database", default="default", help="the Django database alias")

    def handle(self, *args, output=None, database="default", **options):
        connection = connections[database]
        vendor = connection.vendor
        if vendor not in ("sqlite", "postgresql"):
            raise CommandError(f"Backups are for SQLite and PostgreSQL, not {vendor}.")
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        name = Path(str(connection.settings_dict["NAME"])).stem if vendor == "sqlite" else connection.settings_dict["NAME"]
        target = Path(output or Path(settings.BASE_DIR) / "backups" /
                      f"alliance-{name}-{stamp}.{'sqlite3' if vendor == 'sqlite' else 'dump'}")
        if target.exists():
            raise CommandError(f"{target} exists already: give another --output.")
        target.parent.mkdir(parents=True, exist_ok=True)
        if vendor == "sqlite":
            self._sqlite(connection, target)
        else:
            self._postgres(connection, target)
        self.stdout.write(f"{target} ({target.stat().st_size:,} bytes)")

    def _sqlite(self, connection, target):
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            with destination:
                connection.connection.backup(destination)
        finally:
            destination.close()

    def _postgres(self, connection, target):
        partial = target.with_name(target.name + ".partial")
        result = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(partial)],
                                env=postgres_environment(connection.settings_dict), capture_output=True, text=True)
        if result.returncode != 0:
            partial.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        partial.rename(target)
