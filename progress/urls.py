from django.urls import path

from progress import views

app_name = "progress"

# Mounted at the site's root: My history keeps its URL, /history/.
urlpatterns = [
    path("progress/", views.progress_page, name="page"),
    path("progress/my-data.json", views.my_data_json, name="my-data-json"),
    path("progress/my-data/<str:kind>.csv", views.my_data_csv, name="my-data-csv"),
    path("history/", views.history, name="history"),
]
