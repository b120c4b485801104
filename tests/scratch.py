"""A database of its own for a test that runs the site's commands or server in another process:
a file for SQLite (WAL and backups need one), a new database on the tests' server for PostgreSQL."""

import contextlib
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def scratch_database(directory, name):
    """The URL of an empty database named after `name` (created, then dropped after)."""
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{Path(directory) / f'{name}.sqlite3'}"
        return
    import psycopg

    database = settings.DATABASES["default"]
    name = f"alliance_{name}_{os.getpid()}"
    server = f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        connection.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def manage(env, *args, check=True):
    """`manage.py *args` in another process with `env`; its completed process."""
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**os.environ, **env},
                            capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed: {result.stderr[-2000:]}")
    return result
