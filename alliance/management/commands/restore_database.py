"""Restore the database from a file that `backup_database` wrote: `manage.py restore_database FILE --yes`.

Everything in the database is replaced by the backup's content, so the command asks for --yes.
Stop the site first (or take it out of the load balancer: /readyz) so that nobody writes
meanwhile.

- SQLite: SQLite's backup from the file into the database, in one step;
- PostgreSQL: `pg_restore --clean --if-exists --single-transaction`: the database's tables are
  dropped and restored in one transaction, so a restore that fails leaves the database as it was.
After a restore the cached counts are stale: the data version is moved.
"""

import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from alliance.management.commands.backup_database import postgres_environment
from alliance.search.index import touch


class Command(BaseCommand):
    help = "Replace the database's content with a backup that backup_database wrote."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="the file backup_database wrote")
        parser.add_argument("--yes", action="store_true", help="yes, replace everything in the database")
        parser.add_argument("--database", default="default", help="the Django database alias")

    def handle(self, *args, backup, yes=False, database="default", **options):
        source = Path(backup)
        if not source.is_file():
            raise CommandError(f"{source}: no such file.")
        if not yes:
            raise CommandError("This replaces everything in the database with the backup: run it again with --yes.")
        connection = connections[database]
        if connection.vendor == "sqlite":
            self._sqlite(connection, source)
        elif connection.vendor == "postgresql":
            self._postgres(connection, source)
        else:
            raise CommandError(f"Backups are for SQLite and PostgreSQL, not {connection.vendor}.")
        touch()  # every count cached on the old data version is stale
        self.stdout.write(f"restored {source}")

    def _sqlite(self, connection, source):
        with source.open("rb") as file:
            if file.read(16) != b"SQLite format 3\x00":
                raise CommandError(f"{source} is not an SQLite database (a backup of PostgreSQL? restore it there).")
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            connection.ensure_connection()
            backup.backup(connection.connection)
        finally:
            backup.close()

    def _postgres(self, connection, source):
        connection.close()  # pg_restore drops the tables this connection may hold locks on
        result = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                                 "--exit-on-error", "--dbname", str(connection.settings_dict["NAME"]), str(source)],
                                env=postgres_environment(connection.settings_dict), capture_output=True, text=True)
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed, and the database is as it was: {result.stderr.strip()}")
