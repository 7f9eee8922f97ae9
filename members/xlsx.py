"""Printable Excel files, the same look in every app: openpyxl in write-only mode (DESIGN:
16 s and 25 MB for 100,000 rows, where normal mode takes 347 MB)."""

from collections.abc import Iterable
from io import BytesIO

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PrintableSheet:
    """Title lines, a bordered and shaded header row, bordered rows; landscape, one page wide,
    the header frozen. Rows stream straight to the file.

    Cells take named styles registered once: openpyxl hashes every style object set on a cell
    to find it in the workbook, 0.4 ms a cell (7 s for 500 rows of 20 columns)."""

    def __init__(self, name: str, *, widths: Iterable[int], freeze: str | None = None) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
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
        border = Border(left=thin, right=thin, top=thin, bottom=thin)
        wrap = Alignment(wrap_text=True, vertical="top")
        center = Alignment(horizontal="center", vertical="top")
        bold = Font(bold=True)
        styles = {
            "Tiêu đề": {"font": Font(bold=True, size=14)},
            "Đậm": {"font": bold},
            "Đầu cột": {
                "font": bold,
                "fill": PatternFill("solid", fgColor="F2DCDB"),
                "border": border,
                "alignment": wrap,
            },
            "Ô": {"border": border, "alignment": wrap},
            "Ô giữa": {"border": border, "alignment": center},
            "Ô đậm": {"border": border, "alignment": wrap, "font": bold},
            "Ô giữa đậm": {"border": border, "alignment": center, "font": bold},
        }
        for style_name, parts in styles.items():
            self.workbook.add_named_style(NamedStyle(name=style_name, **parts))

    def _cell(self, value, style: str, number_format: str | None = None):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.sheet, value=value)
        cell.style = style
        if number_format:
            cell.number_format = number_format
        return cell

    def title(self, heading: str, *lines: str) -> None:
        """The heading in large bold, then one plain line each (subtitle, period, export time)."""
        self.sheet.append([self._cell(heading, "Tiêu đề")])
        for line in lines:
            self.sheet.append([line])

    def header(self, labels: Iterable[str]) -> None:
        self.sheet.append([self._cell(str(label), "Đầu cột") for label in labels])

    def row(
        self, values: Iterable, *, centered_from: int | None = None, bold: bool = False
    ) -> None:
        plain, centered = ("Ô đậm", "Ô giữa đậm") if bold else ("Ô", "Ô giữa")
        self.sheet.append(
            [
                self._cell(
                    value, centered if centered_from is not None and i >= centered_from else plain
                )
                for i, value in enumerate(values)
            ]
        )

    def content(self) -> bytes:
        buffer = BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
