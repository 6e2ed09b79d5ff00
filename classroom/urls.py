from django.urls import path

from classroom import views

app_name = "classroom"

urlpatterns = [
    path("", views.course_list, name="list"),
    path("assigned/", views.assigned_to_me, name="assigned"),
    path("join/", views.join, name="join"),
    path("join/<str:code>/", views.join, name="join_link"),
    path("<int:pk>/", views.course_page, name="course"),
    path("<int:pk>/instructors/", views.add_instructor, name="add_instructor"),
    path("<int:pk>/assignments/new/", views.assignment_new, name="assignment_new"),
    path("<int:pk>/assignments/<int:aid>/", views.assignment_page, name="assignment"),
    path("<int:pk>/assignments/<int:aid>/start/", views.assignment_start, name="assignment_start"),
    path("<int:pk>/assignments/<int:aid>/drills/<int:n>/", views.drill_answer, name="drill_answer"),
    path("<int:pk>/assignments/<int:aid>/analysis/", views.assignment_analysis, name="assignment_analysis"),
    path("<int:pk>/questions/<slug:external_id>/analysis/", views.question_analysis, name="question_analysis"),
    path("<int:pk>/gradebook/", views.gradebook_page, name="gradebook"),
    path("<int:pk>/gradebook.csv", views.gradebook_csv, name="gradebook_csv"),
    path("<int:pk>/attempts/<int:quiz_id>/", views.attempt_page, name="attempt"),
]
