from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "attendance"
    verbose_name = _("Attendance")

    def ready(self) -> None:
        from attendance import downloads  # noqa: PLC0415 -- needs the app registry
        from attendance.links import session_links  # noqa: PLC0415 -- needs the app registry
        from attendance.panels import my_attendance_panel  # noqa: PLC0415
        from study.extensions import register_member_panel, register_session_links  # noqa: PLC0415

        register_session_links(session_links)
        downloads.register()
        register_member_panel(my_attendance_panel)
