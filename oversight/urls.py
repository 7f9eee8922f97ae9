from django.urls import path

from oversight.views import dashboard

app_name = "oversight"

urlpatterns = [
    path("oversight/", dashboard.home, name="home"),
    path("oversight/organizations/<int:pk>/", dashboard.organization, name="organization"),
    path(
        "oversight/organizations/<int:pk>/members/<int:user_pk>/",
        dashboard.member,
        name="member",
    ),
    # --- annual study assessment (oversight/views/assessment.py) ---
    # --- end of annual study assessment ---
]
