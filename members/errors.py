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
        "import_not_xlsx": _(
            "The file is not an Excel workbook (.xlsx). Save it as “Excel Workbook” and try again."
        ),
        "import_too_large": _("The file is larger than %(limit)s MB. Split it into smaller files."),
        "import_empty": _("The file holds no member rows under the header row."),
        "import_too_many_rows": _(
            "The file holds more than %(limit)s rows. Split it into smaller files."
        ),
        "import_has_errors": _("The file has problems; fix them and upload it again."),
        "import_already_applied": _("This file has already been imported."),
        "import_stale": _(
            "The members changed since the preview; upload the file again to see a new preview."
        ),
        "not_a_cell": _("A member can only belong to a Party cell."),
        "cell_out_of_scope": _("You do not manage this cell."),
    }
