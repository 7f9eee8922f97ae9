from django.urls import path

from oversight.views import assessment, dashboard, inspection, warnings
from oversight.views import report as report_views

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
    path(
        "oversight/organizations/<int:pk>/assessment/warnings/",
        warnings.rule,
        name="warning-rule",
    ),
    # --- end of annual study assessment ---
    # --- thematic inspection (oversight/views/inspection.py) ---
    path(
        "oversight/organizations/<int:pk>/inspections/",
        inspection.rounds,
        name="inspection-rounds",
    ),
    path(
        "oversight/organizations/<int:pk>/inspections/new/",
        inspection.round_create,
        name="inspection-round-create",
    ),
    path("oversight/inspections/<int:pk>/", inspection.round_detail, name="inspection-round"),
    path("oversight/inspections/<int:pk>/adjust/", inspection.adjust, name="inspection-adjust"),
    path("oversight/inspected/<int:pk>/", inspection.inspection_detail, name="inspection"),
    path(
        "oversight/inspected/<int:pk>/follow-ups/",
        inspection.follow_up_add,
        name="follow-up-add",
    ),
    path("oversight/follow-ups/<int:pk>/done/", inspection.follow_up_done, name="follow-up-done"),
    # --- end of thematic inspection ---
    # --- periodic report (oversight/views/report.py) ---
    path(
        "oversight/organizations/<int:pk>/report/",
        report_views.report,
        name="report",
    ),
    path(
        "oversight/organizations/<int:pk>/report.xlsx",
        report_views.report_download,
        name="report-xlsx",
    ),
    # --- end of periodic report ---
]
