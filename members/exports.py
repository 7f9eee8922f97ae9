"""Excel files the members app hands out."""

from django.utils.translation import gettext as _

from members.imports import COLUMNS, REQUIRED
from members.xlsx import PrintableSheet


def member_import_template() -> bytes:
    """An empty member list with the headers the import understands and one example row."""
    out = PrintableSheet(_("Members"), widths=(32, 20, 16, 30, 16), freeze="A2")
    # Card numbers and phones are text: typed into a General column, "01000005" would lose
    # its leading zero and become another member's number.
    for column in ("B", "E"):
        out.sheet.column_dimensions[column].number_format = "@"
    out.header(f"{label}{' *' if key in REQUIRED else ''}" for key, label, _aliases in COLUMNS)
    out.row(["Nguyễn Văn An", "01000005", "CB-MAU", "an.nguyen@example.vn", "0912 345 678"])
    return out.content()
