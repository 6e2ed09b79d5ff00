from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("new/<slug:external_id>/", views.new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("triage/", views.triage, name="triage"),
    path("triage/<int:pk>/", views.decide, name="decide"),
]
