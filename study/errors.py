from django.utils.translation import gettext_lazy as _

from members.errors import DomainError


class StudyError(DomainError):
    messages = {
        "bad_document_number": _(
            "“%(value)s” is not a document number. Write it as serial-type/body, e.g. 328-KL/ĐUK."
        ),
        "duplicate_document_number": _("Document %(value)s is already in the registry."),
        "empty_title": _("The document needs a title."),
    }
