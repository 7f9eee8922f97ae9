from django.urls import path

from speakers import views

app_name = "speakers"

urlpatterns = [
    path("speakers/", views.roster, name="roster"),
    path("speakers/new/", views.create, name="create"),
    path("speakers/health/", views.health, name="health"),
    path("speakers/me/", views.mine, name="mine"),
    path("speakers/roster.xlsx", views.export, name="export"),
    path("speakers/import/", views.import_roster, name="import"),
    path("speakers/<int:pk>/", views.detail, name="detail"),
    path("speakers/<int:pk>/edit/", views.edit, name="edit"),
    path("speakers/<int:pk>/status/", views.change_status, name="status"),
    path("speakers/<int:pk>/trainings/", views.add_training, name="training"),
    path("speakers/confirm/<int:org_pk>/", views.confirm, name="confirm"),
    path("speakers/sessions/<int:session_pk>/talks/", views.talks, name="talks"),
    path("speakers/sessions/<int:session_pk>/feedback/", views.feedback, name="feedback"),
]
