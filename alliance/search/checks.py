"""`manage.py check --database default`: whether PostgreSQL's planner prices a document check right, and
whether the search indexes take each write at once."""

from django.core import checks
from django.db import connections

from alliance.search.backends import MATCH_COST, MATCH_FUNCTION


def postgresql_cursors(databases):
    """A cursor on each of the checked databases that is PostgreSQL's, in turn."""
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                yield cursor


@checks.register(checks.Tags.database)
def match_cost(app_configs, databases=None, **kwargs):
    """Without MATCH_COST on `document @@ query`, a search of a frequent term may read every document."""
    found = []
    for cursor in postgresql_cursors(databases):
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


@checks.register(checks.Tags.database)
def pending_lists(app_configs, databases=None, **kwargs):
    """A rebuild that was killed outright (not stopped: that closes them) leaves the search indexes
    taking writes into their pending lists, which grow until VACUUM and make the planner shun them."""
    found = []
    for cursor in postgresql_cursors(databases):
        cursor.execute("SELECT relname FROM pg_class WHERE relname LIKE 'search\\_%%\\_gin' AND relkind = 'i' "
                       "AND NOT coalesce('fastupdate=off' = ANY(reloptions), false) ORDER BY relname")
        left = [row[0] for row in cursor.fetchall()]
        if left:
            found.append(checks.Warning(
                f"The search index{'es' if len(left) > 1 else ''} {', '.join(left)} take writes into a pending list "
                "(a rebuild was interrupted): searches will slow down as it grows.",
                hint="Run the rebuild again (manage.py rebuild_search_index --start-after …, as its last line said): "
                     "it closes them when it ends.",
                id="search.W002",
            ))
    return found
