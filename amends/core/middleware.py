from django.core.exceptions import PermissionDenied

from .errors import AccessDenied


class AccessDeniedMiddleware:
    """A service's AccessDenied becomes Django's 403 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, AccessDenied):
            raise PermissionDenied(str(exception)) from exception
        return None
