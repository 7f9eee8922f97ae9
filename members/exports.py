"""Excel files the members app hands out."""

from io import BytesIO

from django.utils.translation import gettext as _

from members.imports import COLUMNS, REQUIRED


def member_import_template() -> bytes:
    """An empty member list with the headers the import understands and one example row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Members"))
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDE", (32, 20, 16, 30, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    bold = Font(bold=True)
    from openpyxl.cell import WriteOnlyCell

    header = []
    for key, label, _aliases in COLUMNS:
        cell = WriteOnlyCell(sheet, value=f"{label}{' *' if key in REQUIRED else ''}")
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    sheet.append(["Nguyễn Văn An", "01.234567", "CB-MAU", "an.nguyen@example.vn", "0912 345 678"])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
