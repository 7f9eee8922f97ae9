"""Printable Excel files, the same look in every app: openpyxl in write-only mode (DESIGN:
16 s and 25 MB for 100,000 rows, where normal mode takes 347 MB)."""

from collections.abc import Iterable
from io import BytesIO

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PrintableSheet:
    """Title lines, a bordered and shaded header row, bordered rows; landscape, one page wide,
    the header frozen. Rows stream straight to the file."""

    def __init__(self, name: str, *, widths: Iterable[int], freeze: str | None = None) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
        from openpyxl.utils import get_column_letter

        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(name[:31])
        setup = self.sheet.page_setup
        setup.orientation, setup.fitToWidth, setup.fitToHeight = "landscape", 1, 0
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        if freeze:
            self.sheet.freeze_panes = freeze
        thin = Side(style="thin", color="999999")
        self._border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self._wrap = Alignment(wrap_text=True, vertical="top")
        self._center = Alignment(horizontal="center", vertical="top")
        self._bold = Font(bold=True)
        self._big = Font(bold=True, size=14)
        self._fill = PatternFill("solid", fgColor="F2DCDB")

    def _cell(self, value, **style):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.sheet, value=value)
        for name, applied in style.items():
            setattr(cell, name, applied)
        return cell

    def title(self, heading: str, *lines: str) -> None:
        """The heading in large bold, then one plain line each (subtitle, period, export time)."""
        self.sheet.append([self._cell(heading, font=self._big)])
        for line in lines:
            self.sheet.append([line])

    def header(self, labels: Iterable[str]) -> None:
        self.sheet.append(
            [
                self._cell(
                    str(label),
                    font=self._bold,
                    fill=self._fill,
                    border=self._border,
                    alignment=self._wrap,
                )
                for label in labels
            ]
        )

    def row(
        self, values: Iterable, *, centered_from: int | None = None, bold: bool = False
    ) -> None:
        cells = []
        for index, value in enumerate(values):
            centered = centered_from is not None and index >= centered_from
            style = {"border": self._border, "alignment": self._center if centered else self._wrap}
            if bold:
                style["font"] = self._bold
            cells.append(self._cell(value, **style))
        self.sheet.append(cells)

    def content(self) -> bytes:
        buffer = BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
