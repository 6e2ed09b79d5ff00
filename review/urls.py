from django.urls import path

from review import views

app_name = "review"

urlpatterns = [
    path("", views.due_today, name="due"),
    path("<int:pk>/", views.card, name="grade"),
    path("settings/", views.review_settings, name="settings"),
    path("log.csv", views.log_csv, name="log-csv"),
]
