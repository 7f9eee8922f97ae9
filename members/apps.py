from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Organisations and members")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in  # noqa: PLC0415

        from members.middleware import start_officer_session  # noqa: PLC0415

        user_logged_in.connect(start_officer_session, dispatch_uid="officer-session-start")
