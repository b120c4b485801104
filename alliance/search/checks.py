"""`manage.py check --database default`: whether PostgreSQL's planner prices a document check right."""

from django.core import checks
from django.db import connections

from alliance.search.backends import MATCH_COST, MATCH_FUNCTION


@checks.register(checks.Tags.database)
def match_cost(app_configs, databases=None, **kwargs):
    """Without MATCH_COST on `document @@ query`, a search of a frequent term may read every document."""
    found = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SELECT procost FROM pg_proc WHERE oid = %s::regprocedure", [MATCH_FUNCTION])
            row = cursor.fetchone()
        if row and row[0] < MATCH_COST:
            found.append(checks.Warning(
                f"PostgreSQL prices {MATCH_FUNCTION} at {row[0]:g}, so a search of a frequent term may read every "
                "document instead of using the search index.",
                hint=f"As a superuser, in this database: ALTER FUNCTION {MATCH_FUNCTION} COST {MATCH_COST};",
                id="search.W001",
            ))
    return found
