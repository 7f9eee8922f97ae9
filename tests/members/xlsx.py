"""Build real .xlsx uploads for the import tests."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

HEADER = ["Họ và tên", "Số thẻ đảng viên", "Mã chi bộ", "Email", "Số điện thoại"]


def xlsx_upload(rows, header=HEADER, name="danh-sach.xlsx", title_rows=()) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for title in title_rows:
        sheet.append([title])
    if header is not None:
        sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        name,
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
