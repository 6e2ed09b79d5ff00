from django.contrib import admin
from django.urls import include, path

from studyapp import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("", include("questions.urls")),
    path("labs/", include("labs.urls")),
    path("drills/", include("drills.urls")),
    path("api/v1/drills/", include("drills.api_urls")),
    path("review/", include("review.urls")),
    path("quizzes/", include("quizzes.urls")),
    path("", include("progress.urls")),  # /progress/ and /history/
    path("reports/", include("reports.urls")),
    path("classroom/", include("classroom.urls")),
    path("lti/", include("lti.urls")),
    path("api/v1/review/", include("review.api_urls")),
    path("api/v1/me/", include("progress.api_urls")),
    path("api/", include("studyapp.api_urls")),  # after every other api/ route: it ends with the JSON 404 for the rest
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page links to.
    path("favicon.ico", views.favicon),
]

handler404 = "studyapp.views.not_found"
