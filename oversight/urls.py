from django.urls import path

from oversight.views import assessment, dashboard

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
    path(
        "oversight/organizations/<int:pk>/assessment/",
        assessment.organization,
        name="assessment",
    ),
    path(
        "oversight/organizations/<int:pk>/assessment.xlsx",
        assessment.organization_xlsx,
        name="assessment-xlsx",
    ),
    path(
        "oversight/organizations/<int:pk>/assessment/override/",
        assessment.override,
        name="assessment-override",
    ),
    path(
        "oversight/organizations/<int:pk>/assessment/rule/",
        assessment.rule,
        name="assessment-rule",
    ),
    path("oversight/my-year/", assessment.my_year, name="my-year"),
    # --- end of annual study assessment ---
    # --- thematic inspection (oversight/views/inspection.py) ---
    # --- end of thematic inspection ---
    # --- periodic report (oversight/views/report.py) ---
    # --- end of periodic report ---
]
