from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination


class StrictPageNumberPagination(PageNumberPagination):
    """An empty `page=` is refused like any other page number that is not one (404), instead of
    being read as the first page."""

    invalid_page_message = _("Invalid page.")  # type: ignore[assignment]  # lazy, as in REST framework itself

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not raw.strip():
            raise NotFound(self.invalid_page_message)
        return super().get_page_number(request, paginator)
