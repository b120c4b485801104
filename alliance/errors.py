"""What a request that fails gets: under /api/ JSON with a `detail`, elsewhere a page in the
request's language that reads nothing from the database (it may be what failed).

- 400: a request Django refused before any view (a body past DATA_UPLOAD_MAX_MEMORY_SIZE is a
  413 that says how large a body may be; too many fields; a host not allowed);
- 503 with Retry-After: the database did not answer (down, restarting, locked past the busy
  timeout): the client should come back, and the site serves again by itself once it answers;
- 500: any other fault, without a traceback.
"""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

RETRY_AFTER = 30  # seconds a client is asked to wait when the database is not answering


def answer(request, status, message, template, context=None, *, errors=None, retry_after=None):
    """The one way a refusal or a fault is answered: JSON {"detail", "errors"} under /api/, else
    `template` (which extends plain.html) in the active language; Retry-After when given."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, **({"errors": errors} if errors else {})}, status=status)
    else:
        html = loader.get_template(template).render({"message": message, **(context or {})}, request=None)
        response = HttpResponse(html, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@requires_csrf_token
def bad_request(request, exception):
    if isinstance(exception, RequestDataTooBig):
        megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_000_000
        message = _("The request body is larger than the %(size)s MB a request may carry.") % {"size": f"{megabytes:g}"}
        return answer(request, 413, message, "400.html")
    return answer(request, 400, _("The request could not be understood."), "400.html")


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a sign-in from an account and address it has locked: a 429 with
    Retry-After, on a page in the request's language that says for how long and what is not affected."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    return answer(request, 429, "", "locked_out.html", retry_after=seconds,
                  context={"minutes": max(1, round(seconds / 60)), "failure_limit": settings.AXES_FAILURE_LIMIT})


def database_unavailable(request):
    """The 503 for a database that did not answer."""
    return answer(request, 503, _("The database is not answering; try again in %(seconds)s seconds.")
                  % {"seconds": RETRY_AFTER}, "503.html", {"retry_after": RETRY_AFTER}, retry_after=RETRY_AFTER)


# SQLSTATE classes of a database that cannot answer now but will: a connection lost or refused
# (08), the server shutting down or starting (57), out of connections or memory (53), a
# transaction to retry (40: deadlock, serialization). SQLite's "database is locked" has none.
UNAVAILABLE_CLASSES = ("08", "57", "53", "40")


def _unavailable(error):
    """Whether this database error means "come back later" rather than a fault to fix."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    state = getattr(error.__cause__, "sqlstate", None)
    return state is None or state[:2] in UNAVAILABLE_CLASSES


@requires_csrf_token
def server_error(request):
    """The 500 page (or, when the database did not answer, the 503), with nothing that could fail again."""
    if _unavailable(sys.exc_info()[1]):
        return database_unavailable(request)
    return answer(request, 500, _("A fault on our side; please try again in a moment."), "500.html")
