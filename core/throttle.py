"""Login throttling: django-axes' backend, for authentication that comes with a request."""
from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses a login while its account or address is locked out (django-axes).

    Every login over HTTP passes the request (Django's LoginView does); code that checks a
    password without one (the test client's ``login``, a management command) has no address
    to count and is not throttled, instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
