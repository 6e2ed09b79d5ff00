from django.urls import path

from review import api

app_name = "review-api"

urlpatterns = [
    path("due/", api.DueItems.as_view(), name="due"),
    path("items/<str:pk>/answer/", api.RevealItem.as_view(), name="reveal"),
    path("reviews/", api.Reviews.as_view(), name="reviews"),
    path("log/", api.ReviewLog.as_view(), name="log"),
]
