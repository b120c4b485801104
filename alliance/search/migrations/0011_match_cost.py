"""Tell PostgreSQL's planner what checking a search document costs.

`document @@ query` is priced like any operator (cost 1: a quarter of a hundredth of reading a
page), but it reads a document of 5–30 KB from TOAST: a sequential scan that checks every
document looks cheaper than the GIN index on paper, and is chosen for a term in a third of the
meetings (158 ms instead of 11 ms at 10,000 meetings). Cost 1000 prices a check like reading
two or three pages, which is what it does.

Changing a built-in function needs its owner (a superuser). Without that privilege the
migration warns and goes on: the index still answers most queries; `manage.py check --database
default` then warns too (search.W001), with the statement to run as a superuser."""

import warnings

from django.db import migrations
from django.db.utils import ProgrammingError

from alliance.search.backends import MATCH_COST, MATCH_FUNCTION


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SAVEPOINT match_cost")
            cursor.execute(f"ALTER FUNCTION {MATCH_FUNCTION} COST {MATCH_COST}")
            cursor.execute("RELEASE SAVEPOINT match_cost")
    except ProgrammingError as error:  # not the function's owner
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("ROLLBACK TO SAVEPOINT match_cost")
        warnings.warn(f"could not set the cost of {MATCH_FUNCTION} ({error}); as a superuser, run: "
                      f"ALTER FUNCTION {MATCH_FUNCTION} COST {MATCH_COST};", stacklevel=1)


class Migration(migrations.Migration):
    dependencies = [("search", "0010_one_lexeme_per_character")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
