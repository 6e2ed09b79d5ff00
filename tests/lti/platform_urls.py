"""The site's URLs plus the test platform's (tests/lti/platform.py), for the live server."""
from django.urls import path

from studyapp.urls import handler404  # noqa: F401
from studyapp.urls import urlpatterns as site
from tests.lti import platform

urlpatterns = [
    path("platform/course/", platform.course_page),
    path("platform/auth/", platform.auth),
    path("platform/token/", platform.token),
    path("platform/jwks/", platform.jwks),
    path("platform/deep-link-return/", platform.deep_link_return),
    path("platform/lineitems", platform.lineitems),
    path("platform/lineitems/<str:item_id>/scores", platform.scores),
    path("platform/lineitems/<str:item_id>/results", platform.results),
    path("platform/memberships/<str:context_id>", platform.memberships),
    *site,
]
