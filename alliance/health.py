"""Probes for a load balancer or an orchestrator, outside the pages' languages and the throttles.

- /healthz: the process is up and answers (reads nothing: a database outage must not get the
  workers restarted);
- /readyz: it can serve: the database answers and every migration is applied; 503 otherwise,
  with what is wrong, so that traffic waits until it is ready.
"""

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from alliance.errors import RETRY_AFTER

_migrated = False  # once every migration is applied it stays so for the life of the process


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    global _migrated
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrated:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if pending:
                return JsonResponse({"status": "migrations pending",
                                     "pending": [f"{migration.app_label}.{migration.name}" for migration, _ in pending]},
                                    status=503, headers={"Retry-After": str(RETRY_AFTER)})
            _migrated = True
    except DatabaseError as error:
        return JsonResponse({"status": "database unavailable", "error": type(error).__name__}, status=503,
                            headers={"Retry-After": str(RETRY_AFTER)})
    return JsonResponse({"status": "ok"})
