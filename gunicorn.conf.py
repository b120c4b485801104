"""gunicorn's settings for `make serve` (the production server), from the environment.

Threaded workers (gthread): a client that sends its request slowly holds one thread, not a whole
worker, so a few slow clients cannot stall the site; behind nginx or Caddy, which buffer whole
requests before passing them on, none can (see the README's "Serving"). Requests that run past
TIMEOUT seconds are cut, the worker replaced.
"""

import multiprocessing
import os

bind = os.getenv("BIND", f"{os.getenv('HOST', '0.0.0.0')}:{os.getenv('PORT', '8000')}")
worker_class = "gthread"
workers = int(os.getenv("WEB_CONCURRENCY", str(min(4, multiprocessing.cpu_count()))))
threads = int(os.getenv("THREADS", "8"))
timeout = int(os.getenv("TIMEOUT", "60"))  # a CSV of 10,000 rows streams in a few seconds
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle a worker now and then: memory a long export took goes back
max_requests_jitter = 200
# gunicorn's own limits on what it parses before Django sees anything
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# The proxies whose X-Forwarded-* gunicorn believes (the scheme); Django's TrustedProxyMiddleware
# does the same for the client's address, from the same variable.
forwarded_allow_ips = os.getenv("TRUSTED_PROXIES", "")
accesslog = os.getenv("ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.getenv("LOG_LEVEL", "warning").lower()


def post_worker_init(worker):
    """Python's full collections scanned every object the worker had loaded (Django, the
    analyzer's tables, the URL map): ~75 ms, a pause in one request of ten or twenty after writes.
    Frozen, those objects are never scanned again; what requests make is collected as before."""
    import gc

    gc.freeze()
