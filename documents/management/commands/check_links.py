"""Report the primary sources whose address no longer answers: `manage.py check_links`.

Each document's address is asked for with HEAD (then GET, for a server that refuses HEAD), with
redirects followed, a timeout, a User-Agent that names the site, and a few requests at a time.
A document is broken when its page answers 4xx or 5xx, does not answer within the timeout, or
cannot be reached (no such host, refused, a certificate that does not verify). The command
prints one line per broken document (and with --verbosity 2 one per working one), then a
summary, and exits with status 1 when any is broken, so a scheduled run can alert.
It reads the database and writes nothing.
"""

import concurrent.futures
import http.client
import ssl
from dataclasses import dataclass
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from django.core.management.base import BaseCommand, CommandError

from documents.models import Document

USER_AGENT = "JapanUSAllianceDatabase-check_links/1.0 (link checker of a research database)"
GONE = (404, 410)  # a page that is not there: no second try with GET


@dataclass
class Answer:
    status: int | None  # the final HTTP status, None when there was none
    problem: str  # why it is broken, "" when it is not

    @property
    def broken(self):
        return bool(self.problem)


def probe(url, *, timeout, context=None):
    """What the page at `url` answers now."""
    answer = None
    for method in ("HEAD", "GET"):
        try:
            request = Request(url, method=method, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*"})
            with urlopen(request, timeout=timeout, context=context) as response:
                return Answer(response.status, "")
        except HTTPError as error:
            answer = Answer(error.code, f"HTTP {error.code} {error.reason}".strip())
            if error.code in GONE:
                return answer
        except TimeoutError:
            return Answer(None, f"no answer within {timeout:g} s")
        except URLError as error:
            reason = error.reason
            if isinstance(reason, TimeoutError):
                return Answer(None, f"no answer within {timeout:g} s")
            if isinstance(reason, ssl.SSLError):
                return Answer(None, f"TLS: {getattr(reason, 'verify_message', '') or reason.reason or reason}")
            return Answer(None, f"unreachable: {getattr(reason, 'strerror', None) or reason}")
        except (ConnectionError, ssl.SSLError, OSError, http.client.HTTPException) as error:
            return Answer(None, f"unreachable: {error.__class__.__name__} {error}".strip())
        except ValueError as error:  # an address urllib cannot read (one saved around the validation)
            return Answer(None, f"not an address: {error}")
    return answer


class Command(BaseCommand):
    help = "Report the primary sources (documents) whose address no longer answers; status 1 when any is broken."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for each page (default 15)")
        parser.add_argument("--workers", type=int, default=4, help="requests at a time (default 4)")
        parser.add_argument("--publisher", help="only this publisher's documents (an organization's slug, e.g. mofa)")
        parser.add_argument("--ca-file", help="trust the certificates in this file (a site on a private network)")

    def handle(self, *args, timeout, workers, publisher=None, ca_file=None, verbosity=1, **options):
        if timeout <= 0 or workers < 1:
            raise CommandError("--timeout must be a positive number of seconds and --workers at least 1.")
        documents = Document.objects.select_related("publisher").order_by("date", "id")
        if publisher:
            documents = documents.filter(publisher__slug=publisher)
            if not documents.exists():
                raise CommandError(f"No document is published by {publisher!r}.")
        try:
            context = ssl.create_default_context(cafile=ca_file) if ca_file else None
        except (OSError, ssl.SSLError) as error:
            raise CommandError(f"Cannot read the certificates in {ca_file}: {error}") from None
        documents = list(documents)
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            answers = list(pool.map(lambda document: probe(document.url, timeout=timeout, context=context), documents))
        broken = 0
        for document, answer in zip(documents, answers):
            if answer.broken:
                broken += 1
                self.stdout.write(f"BROKEN  {document.url}  {answer.problem}  (document {document.pk}: {document})")
            elif verbosity >= 2:
                self.stdout.write(f"ok {answer.status}  {document.url}")
        summary = f"{len(documents) - broken} of {len(documents)} addresses answer; {broken} broken."
        if broken:
            raise CommandError(summary)
        self.stdout.write(summary)
