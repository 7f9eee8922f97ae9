"""Vietnamese text on the way in (NFC) and for search (folded: no case, no diacritics)."""

import unicodedata

# Đ/đ is a letter of its own, not D plus a combining mark, so NFD alone does not strip it.
_EXTRA_FOLDS = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def fold(text: str | None) -> str:
    """'Nguyễn Văn  Đức' -> 'nguyen van duc': what a person types when searching."""
    decomposed = unicodedata.normalize("NFD", (text or "").translate(_EXTRA_FOLDS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
