from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for logins that come with a request.

    Every login over the web passes its request (the login view, the admin, the API);
    `authenticate()` without one happens only in code on the server itself (the shell, the test
    client's `login()`), where there is no address to lock and axes would refuse outright.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
