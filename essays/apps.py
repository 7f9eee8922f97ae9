from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EssaysConfig(AppConfig):
    name = "essays"
    verbose_name = _("Essays")

    def ready(self) -> None:
        from essays.links import session_links  # noqa: PLC0415 -- needs the app registry
        from essays.panels import my_essay_panel  # noqa: PLC0415
        from essays.queries import session_has_grades  # noqa: PLC0415
        from study.extensions import (  # noqa: PLC0415
            register_graded_check,
            register_member_panel,
            register_session_links,
        )

        register_session_links(session_links)
        register_member_panel(my_essay_panel)
        register_graded_check(session_has_grades)
