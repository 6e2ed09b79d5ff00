from django.urls import path

from review import views

app_name = "review"

urlpatterns = [
    path("", views.due_today, name="due"),
    path("<int:pk>/", views.grade, name="grade"),
]
