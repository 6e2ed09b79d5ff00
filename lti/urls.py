from django.urls import path

from lti import pages, views

app_name = "lti"

urlpatterns = [
    path("", pages.tool_page, name="tool"),
    path("login/", views.oidc_login, name="login"),
    path("login/<uuid:registration_uuid>/", views.oidc_login, name="login_for"),
    path("launch/", views.launch, name="launch"),
    path("jwks.json", views.jwks, name="jwks"),
    path("deployments/<int:pk>/activate/", pages.activate_deployment, name="activate_deployment"),
    path("links/<int:pk>/", pages.pick, name="pick"),
    path("deep-link/", pages.deep_link, name="deep_link"),
    path("courses/<int:course_pk>/", pages.course_lti, name="course"),
    path("courses/<int:course_pk>/scores/<int:score_pk>/resend/", pages.resend, name="resend"),
    path("courses/<int:course_pk>/roster/", pages.sync_roster, name="roster"),
]
