"""A POST to a page URL missing its trailing slash keeps its method and body.

Django's CommonMiddleware (APPEND_SLASH) answers such a request with a 301, which browsers and
clients follow with a GET, dropping the form (a login or a report silently lost); with DEBUG on
it raises instead (a 500). Here a request of any method other than GET and HEAD is redirected
with 308 Permanent Redirect, which repeats the same method and body at the slashed URL, in DEBUG
and in production alike. The API never gets here: its URLs without the slash are a JSON 404
naming the right one (studyapp/api/not_found.py).
"""
from django.http import HttpResponsePermanentRedirect
from django.middleware import common
from django.utils.http import escape_leading_slashes

SAFE = ("GET", "HEAD")


class CommonMiddleware(common.CommonMiddleware):
    def get_full_path_with_slash(self, request):
        # Django's raises RuntimeError for unsafe methods in DEBUG; the 308 below makes it safe.
        return escape_leading_slashes(request.get_full_path(force_append_slash=True))

    def process_request(self, request):
        return self._keep_method(request, super().process_request(request))

    def process_response(self, request, response):
        return self._keep_method(request, super().process_response(request, response))

    @staticmethod
    def _keep_method(request, response):
        if isinstance(response, HttpResponsePermanentRedirect) and request.method not in SAFE:
            response.status_code = 308
        return response
