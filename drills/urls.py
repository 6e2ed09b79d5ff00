from django.urls import path

from drills import views

app_name = "drills"

urlpatterns = [
    path("", views.drill_page, name="page"),
]
