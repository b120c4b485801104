"""Sign-in locks (django-axes) for sign-ins over HTTP only."""

from axes.backends import AxesStandaloneBackend


class SignInLocks(AxesStandaloneBackend):
    """django-axes' check, which refuses to run without a request: a credentials check with none
    (a shell, a management command, a test's `client.login`) is no sign-in over HTTP, and
    there is no address to lock; the next backend checks the password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
