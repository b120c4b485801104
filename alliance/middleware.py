"""The site's middleware: the client's address behind a trusted proxy; NUL characters refused;
the throttle of anonymous clients on pages; Last-Modified for the API, the calendar and the feed,
from the data version; the language of a request; curators' responses kept out of shared caches."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from rest_framework.throttling import AnonRateThrottle

from alliance.errors import answer
from alliance.search.index import data_version, data_version_scope
from meetings.models import sees_drafts


class LastModifiedMiddleware:
    """Gives successful reads of the API, the calendar and the feed the data version as their
    Last-Modified; Django's ConditionalGetMiddleware, outside this one, answers If-Modified-Since.
    Every request runs in a data version scope: what it caches on the version reads it once."""

    PREFIXES = ("/api/v1/", "/meetings.ics", "/meetings/feed/")
    NOT_DATA = ("/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/")  # these change with the code, not the data

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with data_version_scope():  # the view's cached counts and this header read the version once
            response = self.get_response(request)
            if (request.method in ("GET", "HEAD") and response.status_code == 200
                    and request.path.startswith(self.PREFIXES) and not request.path.startswith(self.NOT_DATA)
                    and not response.has_header("Last-Modified")):
                version = data_version()
                if version is not None:
                    response["Last-Modified"] = http_date(version.timestamp())
        return response


def client_address(request):
    """The client's address, as TrustedProxyMiddleware left it (the throttles and sign-in locks key on it)."""
    return request.META.get("REMOTE_ADDR")


class TrustedProxyMiddleware:
    """The client's address and scheme: from X-Forwarded-For and X-Forwarded-Proto when the
    request comes from one of settings.TRUSTED_PROXIES (the address is the last one in the chain
    that is not itself a trusted proxy), else REMOTE_ADDR and the headers dropped."""

    FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_FORWARDED")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trusted = set(settings.TRUSTED_PROXIES)
        meta = request.META
        if meta.get("REMOTE_ADDR") in trusted:
            chain = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
            for hop in reversed(chain):
                if hop not in trusted:
                    meta["REMOTE_ADDR"] = hop
                    break
        else:
            for name in self.FORWARDED:
                meta.pop(name, None)
        return self.get_response(request)


class RefuseNulMiddleware:
    """PostgreSQL holds no NUL in text and refuses any statement that carries one: no record's
    address or value has one. A NUL in the address is a 404; in a query parameter, a 400 that
    names the parameter (JSON under /api/)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404("No such record.")
        names = sorted({name for name, values in request.GET.lists()
                        if "\x00" in name or any("\x00" in value for value in values)})
        if names:
            message = _("A NUL character is not allowed in a parameter: no record holds one.")
            detail = "Invalid request." if request.path.startswith("/api/") else message  # the API's shape for a 400
            return answer(request, 400, detail, "400.html", errors={name: [message] for name in names})
        return self.get_response(request)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """The pages' language is their address's: /en/… is English, every other page Japanese, so a
    permalink shows the same page to everyone. The API and the admin, which have one address in
    every language, follow the client's Accept-Language instead."""

    NEGOTIATED = ("/api/", "/admin/")

    def process_request(self, request):
        if request.path_info.startswith(self.NEGOTIATED):
            translation.activate(translation.get_language_from_request(request, check_path=False))
            request.LANGUAGE_CODE = translation.get_language()
        else:
            super().process_request(request)


class JsonNotFoundMiddleware:
    """Under /api/ a 404 is JSON, also when DEBUG would show its own HTML page (which the 404
    handler in alliance.urls does not replace)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code == 404 and request.path.startswith("/api/")
                and response.get("Content-Type", "").startswith("text/html")):
            return JsonResponse({"detail": "Not found."}, status=404)
        return response


class PrivateForCuratorsMiddleware:
    """A response a curator gets may show drafts: no shared cache may keep it for anyone else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES or "Authorization" in request.headers
        if signed_in and sees_drafts(getattr(request, "user", None)):
            patch_cache_control(response, private=True)
        return response


class PagesThrottle(AnonRateThrottle):
    """The API's anonymous throttle, for everything else: pages, the feed, the calendar, the admin's
    sign-in; its own rate (settings.REST_FRAMEWORK's "pages"), higher than the API's."""

    scope = "pages"


class ThrottleAnonymousPagesMiddleware:
    """Anonymous clients past the pages' rate get a 429 with Retry-After (a page in their language)
    on every address but the API (which DRF throttles itself), the static files and the probes.
    A signed-in curator is not throttled here."""

    EXEMPT = ("/api/", "/static/", "/healthz", "/readyz", "/favicon.ico")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(self.EXEMPT):
            throttle = PagesThrottle()
            if not throttle.allow_request(request, None):
                wait = max(1, round(throttle.wait() or 1))
                return answer(request, 429, "", "429.html", {"retry_after": wait}, retry_after=wait)
        return self.get_response(request)
