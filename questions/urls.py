from django.urls import path

from questions import views, views_interchange, views_scenarios

app_name = "questions"

urlpatterns = [
    path("questions/<slug:external_id>/", views.question_detail, name="detail"),
    path("questions/<slug:external_id>/attempts/<int:pk>/", views.attempt_detail, name="attempt"),
    path("scenarios/", views_scenarios.scenarios, name="scenarios"),
    path("bank/import/", views_interchange.import_questions, name="import"),
]
