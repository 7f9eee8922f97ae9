"""Text out of an uploaded Word or PDF file (documents, essays): python-docx and pypdf."""

import zipfile
from typing import IO

from members.text import nfc


class UnreadableFile(ValueError):  # noqa: N818 -- reads as a sentence at the raise site
    pass


def extract_text(fileobj: IO[bytes], extension: str) -> str:
    try:
        if extension == ".docx":
            from docx import Document  # noqa: PLC0415 -- slow import, only on upload

            document = Document(fileobj)
            return nfc("\n".join(p.text for p in document.paragraphs)).strip()
        if extension == ".pdf":
            from pypdf import PdfReader  # noqa: PLC0415

            reader = PdfReader(fileobj)
            return nfc("\n".join((page.extract_text() or "") for page in reader.pages)).strip()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableFile(str(exc)) from exc
    except Exception as exc:  # pypdf raises its own family for every kind of broken file
        if exc.__class__.__module__.startswith(("pypdf", "docx")):
            raise UnreadableFile(str(exc)) from exc
        raise
    raise UnreadableFile(extension)
