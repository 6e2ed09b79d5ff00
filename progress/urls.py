from django.urls import path

from progress import views

app_name = "progress"

# Mounted at the site's root: My history keeps its URL, /history/.
urlpatterns = [
    path("progress/", views.progress_page, name="page"),
    path("history/", views.history, name="history"),
]
