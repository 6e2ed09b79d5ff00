"""Every answer under /api/ in the API's error shape, {"detail": ..., "errors": {...}}, even
when the request never reaches an API view.

Django answers some bad requests itself, before or around the views, with HTML pages: a body
over DATA_UPLOAD_MAX_MEMORY_SIZE (400), a CSRF failure (403), an error page (500). An API
client cannot read those, so this middleware, placed outermost, refuses oversized bodies before
anything reads them (413) and turns any other non-JSON error answer under /api/ into the shape.
"""
from django.conf import settings
from django.http import JsonResponse

API_PREFIX = "/api/"


def error_response(status: int, detail: str, errors: dict | None = None) -> JsonResponse:
    return JsonResponse({"detail": detail, "errors": errors or {}}, status=status)


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads such a body as empty, too


class ApiErrorShapeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        length = _declared_length(request)
        if limit is not None and length > limit:
            return error_response(413, "Request body too large.",
                                  {"body": [f"at most {limit:,} bytes; this one has {length:,}"]})
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if response.status_code >= 400 and not content_type.startswith("application/json"):
            # Django's own page (a 400 for a body it refused, a CSRF 403, a 500): same status, our shape.
            response = error_response(response.status_code, response.reason_phrase + ".")
        return response
