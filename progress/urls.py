from django.urls import path

from progress import views

app_name = "progress"

urlpatterns = [
    path("", views.progress_page, name="page"),
    path("my-data.json", views.my_data_json, name="my-data-json"),
    path("my-data/<str:kind>.csv", views.my_data_csv, name="my-data-csv"),
]
