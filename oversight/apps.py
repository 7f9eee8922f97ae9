from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = _("Oversight")

    def ready(self) -> None:
        from oversight import downloads, signals  # noqa: PLC0415 -- models are loaded only now

        downloads.register()
        signals.connect()
