from django.urls import path

from progress import api

app_name = "me-api"

urlpatterns = [
    path("data/", api.MyDataJson.as_view(), name="data"),
    path("data/<str:kind>/", api.MyDataCsv.as_view(), name="data-csv"),
]
