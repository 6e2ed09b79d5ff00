"""The API's own 404, for every URL under /api/ that no operation matches."""
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt

from studyapp.api.middleware import error_response


@csrf_exempt  # it changes nothing, and a POST without a token should still learn the URL is wrong
def not_found(request, path=""):
    """Any URL under /api/ that no operation matches: the API's JSON 404, with DEBUG on too.

    Matching every such URL here also keeps APPEND_SLASH away from the API: its redirect cannot
    carry a POST body (in DEBUG Django raises RuntimeError for one), so a URL missing its slash
    gets a 404 that names the right URL instead.
    """
    errors = {}
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            errors["url"] = [f"API URLs end with a slash: {request.path}/"]
    return error_response(404, "Not found.", errors)
