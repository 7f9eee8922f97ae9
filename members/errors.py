"""Domain errors: a stable code for code and tests, a translatable message for people."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of every error a service raises on bad input; views show `message` to the user."""

    messages: dict[str, str] = {}

    def __init__(self, code: str, message: str | None = None, **params: object) -> None:
        self.code = code
        template = message if message is not None else self.messages.get(code, code)
        self.message = str(template) % params if params else str(template)
        super().__init__(self.message)


class MembersError(DomainError):
    messages = {
        "import_empty": _("The file holds no member rows under the header row."),
        "import_has_errors": _("The file has problems; fix them and upload it again."),
        "import_already_applied": _("This file has already been imported."),
        "import_expired": _(
            "This upload is too old: its file has been deleted. Upload the list again."
        ),
        "import_stale": _(
            "The members changed since the preview; upload the file again to see a new preview."
        ),
        "not_a_cell": _("A member can only belong to a Party cell."),
        "cell_out_of_scope": _("You do not manage this cell."),
    }


class UploadError(DomainError):
    """A file that members.uploads refuses before (or while) a parser reads it."""

    messages = {
        "empty": _("The file is empty."),
        "too_large": _("The file is larger than %(limit)s MB."),
        "unreadable": _(
            "The file cannot be read: it may be damaged or cut short. Open it, save it again "
            "as %(kind)s and upload it again."
        ),
        "too_many_parts": _("The file is made of more than %(limit)s parts; it is not read."),
        "unpacks_too_large": _(
            "Unpacked, the file would take more than %(limit)s MB, so it is not read. Remove "
            "large pictures or embedded objects, or split it into smaller files."
        ),
        "too_compressed": _(
            "The file unpacks to more than %(limit)s times its size. An ordinary document does "
            "not, so it is not read."
        ),
        "sheet_too_long": _(
            "The sheet goes on past row %(limit)s. Delete the empty rows under the list, or "
            "split it into smaller files."
        ),
        "sheet_too_wide": _(
            "The sheet has values past column %(limit)s. Delete the unused columns on the "
            "right and try again."
        ),
        "too_many_rows": _("The file holds more than %(limit)s rows. Split it into smaller files."),
        "too_many_pages": _(
            "The PDF file has more than %(limit)s pages. Split it into smaller files."
        ),
        "too_much_text": _(
            "The file holds more than %(limit)s characters of text. Split it into smaller files."
        ),
        "too_complex": _(
            "The PDF file is too complex to read its text safely. Save it again from Word with "
            "“Save as PDF”, or split it, and upload it again."
        ),
    }
    # "wrong_type" names what the upload form accepts.
    wrong_type_messages = {
        (".xlsx",): _(
            "The file is not an Excel workbook (.xlsx). Save it as “Excel Workbook” and try again."
        ),
        (".docx", ".pdf"): _("Upload a Word (.docx) or PDF (.pdf) file."),
    }

    @classmethod
    def wrong_type(cls, accept: tuple[str, ...]) -> "UploadError":
        return cls("wrong_type", cls.wrong_type_messages[accept])


class DownloadError(DomainError):
    """Why a large export prepared in the background (members.downloads) is not there."""

    messages = {
        "not_allowed": _("You may not download this."),
        "permission_lost": _("You may no longer see what this file holds."),
        "stalled": _(
            "The file was not ready in time: its preparation was interrupted. Ask for it again."
        ),
        "crashed": _(
            "The file could not be prepared because of an error. Ask for it again; if it fails "
            "again, tell the administrator."
        ),
    }
