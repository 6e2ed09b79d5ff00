from django.urls import path

from labs import views

app_name = "labs"

urlpatterns = [
    path("", views.lab_list, name="list"),
    path("check-aws/", views.check_aws, name="check_aws"),
    path("<int:pk>/", views.lab_detail, name="detail"),
    path("<int:pk>/status/", views.lab_status, name="status"),
    path("<int:pk>/burst/", views.lab_burst, name="burst"),
    path("<int:pk>/teardown/", views.lab_teardown, name="teardown"),
    path("<int:pk>/retry-delete/", views.lab_retry_delete, name="retry_delete"),
]
