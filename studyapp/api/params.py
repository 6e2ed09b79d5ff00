"""Query parameters: each of this API's is one value. Django's QueryDict quietly keeps the last
of a repeated one (`?page=1&page=2`), so a request the schema calls invalid would be answered
as if it were another; these refuse it instead, naming the parameter."""
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


def one(request, name: str, default: str = "") -> str:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise ValidationError({name: [f"given {len(values)} times; give it once"]})
    return values[0] if values else default


class PageNumberPagination(pagination.PageNumberPagination):
    def get_page_number(self, request, paginator):
        one(request, self.page_query_param)
        return super().get_page_number(request, paginator)
