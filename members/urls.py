from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("notices/", views.notice_list, name="notice-list"),
    path("organizations/", views.organization_list, name="organization-list"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization-detail"),
    path(
        "organizations/<int:pk>/temporary-passwords/",
        views.temporary_passwords,
        name="temporary-passwords",
    ),
    path("members/", views.member_list, name="member-list"),
    path("members/<int:pk>/", views.member_detail, name="member-detail"),
    path("members/import/", views.import_upload, name="import-upload"),
    path("members/import/<int:pk>/apply/", views.import_apply, name="import-apply"),
    path("members/import/template.xlsx", views.import_template, name="import-template"),
    path("downloads/", views.download_list, name="downloads"),
    path("downloads/<int:pk>/", views.download_detail, name="download"),
    path("downloads/<int:pk>/status.json", views.download_status, name="download-status"),
    path("downloads/<int:pk>/file/", views.download_file, name="download-file"),
    path("downloads/<int:pk>/again/", views.download_again, name="download-again"),
]
