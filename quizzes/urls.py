from django.urls import path

from quizzes import views

app_name = "quizzes"

urlpatterns = [
    path("", views.quiz_list, name="list"),
    path("<int:pk>/q/<int:n>/", views.question, name="question"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/results/", views.results, name="results"),
]
