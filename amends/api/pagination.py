from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from amends.complaints.list_page import COUNT_LIMIT, BoundedPaginator


class StrictPageNumberPagination(PageNumberPagination):
    """An empty `page=` is refused like any other page number that is not one (404), instead of
    being read as the first page."""

    invalid_page_message = _("Invalid page.")  # type: ignore[assignment]  # lazy, as in REST framework itself

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not raw.strip():
            raise NotFound(self.invalid_page_message)
        return super().get_page_number(request, paginator)


class BoundedPageNumberPagination(StrictPageNumberPagination):
    """The complaint list's pages: counted up to list_page.COUNT_LIMIT, as the web list is, since a
    full count of a million cards takes about a second. `count` stops at the limit and `more` says
    the list goes on past it; `next` still leads on to the last page within the limit."""

    short = False

    def paginate_queryset(self, queryset, request, view=None):
        # The view tells whether its list is a search's few matches (BoundedPaginator's `short`).
        self.short = getattr(view, "short_list", False)
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, queryset, page_size):  # type: ignore[override]  # a factory, as DRF calls it
        return BoundedPaginator(queryset, page_size, COUNT_LIMIT, short=self.short)

    def get_paginated_response(self, data):
        assert self.page is not None  # paginate_queryset gave the page
        paginator = self.page.paginator
        assert isinstance(paginator, BoundedPaginator)
        return Response({
            "count": paginator.count, "more": paginator.more,
            "next": self.get_next_link(), "previous": self.get_previous_link(), "results": data,
        })

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = f"At most {COUNT_LIMIT}: see `more`."
        response["properties"]["more"] = {
            "type": "boolean", "description": f"The list has more than {COUNT_LIMIT} complaints.",
        }
        response["required"].append("more")
        return response
