"""Writes of the study app: one function per use case, atomic."""

from datetime import date

from django.db import IntegrityError, transaction

from members.models import User
from members.services import record_audit
from members.text import nfc
from study.errors import StudyError
from study.models import Document
from study.numbers import DocumentNumberError, parse_document_number


@transaction.atomic
def register_document(
    actor: User | None, *, number: str, issued_on: date, title: str, summary: str = ""
) -> Document:
    """Add a document to the registry; type and issuing body come from its number."""
    try:
        parsed = parse_document_number(number)
    except DocumentNumberError as exc:
        raise StudyError("bad_document_number", value=nfc(number).strip()) from exc
    if not nfc(title).strip():
        raise StudyError("empty_title")
    canonical = str(parsed)
    document = Document(
        number=canonical,
        serial=parsed.serial,
        type_code=parsed.type_code,
        issuing_body=parsed.body,
        issued_on=issued_on,
        title=title,
        summary=summary,
    )
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError as exc:  # the unique number is the last guard, also against races
        raise StudyError("duplicate_document_number", value=canonical) from exc
    record_audit(actor, action="study.register_document", obj=document, after={"number": canonical})
    return document
