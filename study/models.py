from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.text import fold, nfc
from study.numbers import DOCUMENT_TYPES


class Document(models.Model):
    """A Party document studied in sessions: resolution, conclusion, directive, ..."""

    number = models.CharField(
        _("number"), max_length=40, unique=True, help_text=_("Official number, e.g. 328-KL/ĐUK")
    )
    serial = models.PositiveIntegerField(_("serial"))
    type_code = models.CharField(
        _("type"), max_length=4, choices=[(code, label) for code, label in DOCUMENT_TYPES.items()]
    )
    issuing_body = models.CharField(_("issuing body"), max_length=16)
    issued_on = models.DateField(_("date issued"))
    title = models.CharField(_("title"), max_length=500)
    title_folded = models.CharField(max_length=500, editable=False)
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-issued_on", "number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(serial__gte=1), name="document_serial_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"

    def save(self, *args, **kwargs):
        self.title = nfc(self.title).strip()
        self.summary = nfc(self.summary)
        self.title_folded = fold(self.title)
        super().save(*args, **kwargs)
