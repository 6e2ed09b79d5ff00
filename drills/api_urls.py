from django.urls import path

from drills import api

app_name = "drills-api"

urlpatterns = [
    path("backlog/", api.BacklogDrill.as_view(), name="backlog"),
]
