from django.urls import path

from attendance import views

app_name = "attendance"

urlpatterns = [
    path("a/resume/", views.resume, name="resume"),
    path("a/code/", views.code_entry, name="code"),
    path("a/join/", views.ask_to_join, name="ask-to-join"),
    path("a/offline/", views.offline_scans, name="offline"),
    path("a/offline/send/", views.offline_send, name="offline-send"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("a/<str:token>/", views.scan, name="scan"),
    path("attendance/join-requests/<int:pk>/decide/", views.decide_join, name="decide-join"),
    path("attendance/excuses/<int:pk>/decide/", views.decide_excuse, name="decide-excuse"),
    path("attendance/sessions/<int:pk>/excuse/", views.excuse, name="excuse"),
    path("attendance/segments/<int:pk>/online/", views.online, name="online"),
    path("attendance/segments/<int:pk>/ask-presence/", views.ask_presence, name="ask-presence"),
    path("attendance/segments/<int:pk>/projector/", views.projector, name="projector"),
    path("attendance/segments/<int:pk>/door/", views.door, name="door"),
    path("attendance/segments/<int:pk>/door/add/", views.door_add, name="door-add"),
    path("attendance/segments/<int:pk>/door/queue/", views.door_queue, name="door-queue"),
    path(
        "attendance/segments/<int:pk>/projector.json", views.projector_state, name="projector-state"
    ),
    path("attendance/sessions/<int:pk>/sheet/", views.sheet, name="sheet"),
    path("attendance/sessions/<int:pk>/sheet.xlsx", views.sheet_xlsx, name="sheet-xlsx"),
    path("attendance/sessions/<int:pk>/queued/decide/", views.decide_queued, name="decide-queued"),
    path("attendance/matrix/", views.matrix, name="matrix"),
    path("attendance/sessions/<int:pk>/live/", views.live, name="live"),
    path("attendance/sessions/<int:pk>/mark/", views.mark, name="mark"),
]
