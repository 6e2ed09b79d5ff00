"""The project's API routes (namespace "api"), every app's operations under /api/: each app
keeps its own views (its api.py or api/ package); the platform they share is studyapp/api/."""
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import api as account_views
from progress import api as progress_views
from questions.api import export_views, questions_views, simulation_views
from quizzes import api as quiz_views
from studyapp import health
from studyapp.api.not_found import not_found

app_name = "api"

# Path segments are taken as they come (str) and checked by the views, so any malformed id is
# the API's own JSON 404, not a page from URL resolution.

urlpatterns = [
    path("v1/questions/", questions_views.QuestionList.as_view(), name="question-list"),
    path("v1/questions/<str:external_id>/", questions_views.QuestionDetail.as_view(), name="question-detail"),
    path("v1/questions/<str:external_id>/attempts/", questions_views.AttemptCreate.as_view(), name="attempt-create"),
    path("v1/attempts/", questions_views.AttemptList.as_view(), name="attempt-list"),
    path("v1/progress/", progress_views.Progress.as_view(), name="progress"),
    path("v1/quizzes/", quiz_views.QuizList.as_view(), name="quiz-list"),
    path("v1/quizzes/<str:pk>/", quiz_views.QuizDetail.as_view(), name="quiz-detail"),
    path("v1/quizzes/<str:pk>/answers/", quiz_views.QuizAnswer.as_view(), name="quiz-answer"),
    path("v1/quizzes/<str:pk>/finish/", quiz_views.QuizFinish.as_view(), name="quiz-finish"),
    path("v1/auth/token/", account_views.TokenView.as_view(), name="token"),
    path("v1/export/markdown/", export_views.ExportMarkdown.as_view(), name="export-markdown"),
    path("v1/export/moodle/", export_views.ExportMoodle.as_view(), name="export-moodle"),
    path("v1/export/gift/", export_views.ExportGift.as_view(), name="export-gift"),
    path("v1/export/qti/", export_views.ExportQti.as_view(), name="export-qti"),
    path("v1/export/qti12/", export_views.ExportQti12.as_view(), name="export-qti12"),
    path("v1/export/anki/", export_views.ExportAnki.as_view(), name="export-anki"),
    path("v1/export/csv/", export_views.ExportQuestionsCsv.as_view(), name="export-csv"),
    path("v1/export/results/", export_views.ExportResultsCsv.as_view(), name="export-results"),
    path("v1/import/moodle/", export_views.ImportMoodle.as_view(), name="import-moodle"),
    path("v1/import/gift/", export_views.ImportGift.as_view(), name="import-gift"),
    path("v1/simulations/", simulation_views.Simulations.as_view(), name="simulations"),
    path("v1/simulations/scenarios/", simulation_views.SimulationScenarios.as_view(), name="simulation-scenarios"),
    path("v1/health/", health.Health.as_view(), name="health"),
    path("v1/ready/", health.Ready.as_view(), name="ready"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Last: every other URL under /api/ (see studyapp/api/not_found.py).
    re_path(r"^(?P<path>.*)$", not_found, name="not-found"),
]
