from django.urls import path

from attendance import views

app_name = "attendance"

urlpatterns = [
    path("a/resume/", views.resume, name="resume"),
    path("a/code/", views.code_entry, name="code"),
    path("a/<str:token>/", views.scan, name="scan"),
    path("attendance/segments/<int:pk>/projector/", views.projector, name="projector"),
    path(
        "attendance/segments/<int:pk>/projector.json", views.projector_state, name="projector-state"
    ),
    path("attendance/sessions/<int:pk>/sheet/", views.sheet, name="sheet"),
    path("attendance/sessions/<int:pk>/mark/", views.mark, name="mark"),
]
