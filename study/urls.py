from django.urls import path

from study import views

app_name = "study"

urlpatterns = [
    path("sessions/", views.session_list, name="session-list"),
    path("sessions/calendar/", views.session_calendar, name="session-calendar"),
    path("sessions/new/", views.session_create, name="session-create"),
    path("sessions/<int:pk>/", views.session_detail, name="session-detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session-edit"),
    path("sessions/<int:pk>/status/", views.session_status, name="session-status"),
    path("sessions/<int:pk>/participants/add/", views.participant_add, name="participant-add"),
    path(
        "sessions/<int:pk>/participants/<int:user_pk>/remove/",
        views.participant_remove,
        name="participant-remove",
    ),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("documents/", views.document_list, name="document-list"),
    path("documents/new/", views.document_create, name="document-create"),
    path("documents/<int:pk>/", views.document_detail, name="document-detail"),
    path("documents/files/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("programmes/", views.programme_list, name="programme-list"),
    path("programmes/new/", views.programme_create, name="programme-create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme-detail"),
    path("programmes/items/<int:pk>/progress/", views.item_progress, name="item-progress"),
]
