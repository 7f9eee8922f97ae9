from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpeakersConfig(AppConfig):
    name = "speakers"
    verbose_name = _("Speakers")

    def ready(self) -> None:
        from speakers.links import session_links  # noqa: PLC0415 -- needs the app registry
        from study.extensions import register_session_links  # noqa: PLC0415

        register_session_links(session_links)
