from rest_framework import pagination

from bangban.core.views import PAGE_SIZE


class Pagination(pagination.PageNumberPagination):
    """Pages of the web lists' size; `page_size` up to 100 for systems that read everything."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 100
