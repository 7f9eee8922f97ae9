from django.urls import path

from essays import views

app_name = "essays"

urlpatterns = [
    path("essays/", views.my_essays, name="mine"),
    path("essays/sessions/<int:session_pk>/write/", views.write, name="write"),
    path("essays/sessions/<int:session_pk>/autosave/", views.autosave, name="autosave"),
    path("essays/sessions/<int:session_pk>/upload/", views.upload, name="upload"),
    path("essays/sessions/<int:session_pk>/queue/", views.queue, name="queue"),
    path("essays/<int:pk>/grade/", views.grade, name="grade"),
    path("essays/<int:pk>/passages/", views.passage_dismissal, name="passages"),
    path(
        "essays/sessions/<int:session_pk>/release/<int:organization_pk>/",
        views.release,
        name="release",
    ),
    path("essays/<int:pk>/file/", views.upload_file, name="upload-file"),
    path("essays/sessions/<int:session_pk>/progress/", views.progress, name="progress"),
    path("essays/sessions/<int:session_pk>/figures/", views.figures, name="figures"),
    path(
        "essays/sessions/<int:session_pk>/grades.xlsx",
        views.session_grades_xlsx,
        name="session-xlsx",
    ),
    path("essays/grades/", views.grades_xlsx, name="grades-xlsx"),
]
