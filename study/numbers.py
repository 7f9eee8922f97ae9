"""The official grammar of Party document numbers: SERIAL-TYPE/BODY, e.g. 328-KL/ĐUK.

Type and issuing body are read off the number; codes keep their diacritics (Đ, QĐi).
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from members.text import nfc

DOCUMENT_TYPES: dict[str, object] = {
    "NQ": _("Resolution"),
    "KL": _("Conclusion"),
    "CT": _("Directive"),
    "QĐ": _("Decision"),
    "QĐi": _("Regulation"),
    "HD": _("Guidance"),
    "KH": _("Plan"),
    "TB": _("Notice"),
    "CV": _("Official letter"),
    "BC": _("Report"),
    "CTr": _("Programme"),
}
ISSUING_BODIES: dict[str, object] = {
    "TW": _("Party Central Committee"),
    "BCT": _("Politburo"),
    "BBT": _("Secretariat"),
    "ĐUK": _("Party Committee of the Central Agencies Bloc"),
    "VPTW": _("Central Party Office"),
    "BTGTW": _("Central Propaganda and Education Commission"),
}

# Lenient on spacing ("328 - KL / ĐUK"), strict on the parts.
_NUMBER_RE = re.compile(
    r"^\s*(?P<serial>\d{1,5})\s*-\s*(?P<type>[A-Za-zĐđ]{2,4})\s*/\s*(?P<body>[A-ZĐ][A-ZĐ0-9-]{0,15})\s*$"
)
_TYPES_BY_FOLD = {code.upper(): code for code in DOCUMENT_TYPES}


class DocumentNumberError(ValueError):
    pass


@dataclass(frozen=True)
class DocumentNumber:
    serial: int
    type_code: str
    body: str

    def __str__(self) -> str:
        return f"{self.serial:02d}-{self.type_code}/{self.body}"


def parse_document_number(text: str) -> DocumentNumber:
    """'328-KL/ĐUK' -> DocumentNumber(328, 'KL', 'ĐUK'); raises DocumentNumberError."""
    match = _NUMBER_RE.match(nfc(text))
    if not match:
        raise DocumentNumberError(text)
    serial = int(match["serial"])
    type_code = _TYPES_BY_FOLD.get(match["type"].upper())
    if serial == 0 or type_code is None:
        raise DocumentNumberError(text)
    return DocumentNumber(serial=serial, type_code=type_code, body=match["body"])
