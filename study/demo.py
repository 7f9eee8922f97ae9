"""Demo documents and sessions, on top of the demo bloc (members.demo). Idempotent."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from members.demo import BLOC_CODE
from members.models import Organization, Role, RoleAssignment
from study import services
from study.errors import StudyError
from study.models import Document, StudySession
from study.services import SegmentSpec, SessionSpec

# The documents the source papers name, with their real numbers, dates and titles.
DOCUMENTS = [
    (
        "328-KL/ĐUK",
        date(2019, 8, 27),
        "Kết luận của Ban Chấp hành Đảng bộ Khối về tiếp tục đổi mới phương thức, nâng cao chất lượng học tập, quán triệt nghị quyết của Đảng",
    ),
    (
        "02-NQ/ĐUK",
        date(2016, 10, 27),
        "Nghị quyết của Ban Chấp hành Đảng bộ Khối về đổi mới phương thức, nâng cao chất lượng học tập, quán triệt nghị quyết của Đảng trong Đảng bộ Khối các cơ quan Trung ương",
    ),
    (
        "04-CT/ĐUK",
        date(2016, 9, 1),
        "Chỉ thị của Ban Thường vụ Đảng ủy Khối về tăng cường xây dựng đội ngũ báo cáo viên trong Đảng bộ Khối",
    ),
    (
        "08-QĐi/TW",
        date(2018, 10, 25),
        "Quy định của Ban Chấp hành Trung ương về trách nhiệm nêu gương của cán bộ, đảng viên, trước hết là Ủy viên Bộ Chính trị, Ủy viên Ban Bí thư, Ủy viên Ban Chấp hành Trung ương",
    ),
    (
        "05-CT/TW",
        date(2016, 5, 15),
        "Chỉ thị của Bộ Chính trị về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    ),
    (
        "18-NQ/TW",
        date(2017, 10, 25),
        "Nghị quyết Hội nghị lần thứ sáu Ban Chấp hành Trung ương khóa XII một số vấn đề về tiếp tục đổi mới, sắp xếp tổ chức bộ máy của hệ thống chính trị tinh gọn, hoạt động hiệu lực, hiệu quả",
    ),
    (
        "144-KH/ĐUK",
        date(2019, 6, 5),
        "Kế hoạch tổng kết công tác xây dựng Đảng và thi hành Điều lệ Đảng Đại hội XII nhiệm kỳ 2015-2020 trong Đảng bộ Khối",
    ),
]


def _local(day: date, hh: int, mm: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


@transaction.atomic
def seed(today: date | None = None) -> None:
    for number, issued_on, title in DOCUMENTS:
        if not Document.objects.filter(number=number).exists():
            services.register_document(None, number=number, issued_on=issued_on, title=title)
    if StudySession.objects.exists():
        return
    today = today or timezone.localdate()
    bloc = Organization.objects.get(code=BLOC_CODE)
    board = RoleAssignment.objects.get(organization=bloc, role=Role.PROPAGANDA_OFFICER).user
    conclusion = Document.objects.get(number="328-KL/ĐUK")
    resolution = Document.objects.get(number="02-NQ/ĐUK")

    day = today + timedelta(days=7)
    bloc_wide = services.create_session(
        board,
        spec=SessionSpec(
            title="Hội nghị trực tuyến quán triệt Kết luận 328-KL/ĐUK toàn Đảng bộ Khối",
            organizer=bloc,
            audience=[bloc],
            documents=[conclusion, resolution],
            mode=StudySession.Mode.HYBRID,
            venue="Hội trường Đảng ủy Khối, 2 Hoàng Văn Thụ, Hà Nội",
            meeting_url="https://hop.hoctap.vn/duk-328",
            starts_at=_local(day, 7, 30),
            ends_at=_local(day, 16, 30),
            essay_required=True,
            essay_deadline=_local(day + timedelta(days=14), 17),
            segments=[
                SegmentSpec("Buổi sáng", _local(day, 7, 30), _local(day, 11, 30)),
                SegmentSpec(
                    "Buổi chiều", _local(day, 13, 30), _local(day, 16, 30), has_checkout=True
                ),
            ],
        ),
    )
    services.publish_session(board, session=bloc_wide, announce=False)

    cell = Organization.objects.get(code="BTP-VP-CB1")
    secretary = RoleAssignment.objects.get(organization=cell, role=Role.SECRETARY).user
    cell_day = today + timedelta(days=2)
    try:
        services.create_session(
            secretary,
            spec=SessionSpec(
                title="Sinh hoạt chuyên đề: trách nhiệm nêu gương theo Quy định 08-QĐi/TW",
                organizer=cell,
                audience=[cell],
                documents=list(Document.objects.filter(number="08-QĐi/TW")),
                venue="Phòng họp tầng 2",
                starts_at=_local(cell_day, 14),
                ends_at=_local(cell_day, 16, 30),
                segments=[
                    SegmentSpec("Buổi chiều", _local(cell_day, 14), _local(cell_day, 16, 30))
                ],
            ),
        )
    except StudyError:  # the demo cell has changed by hand: leave it as it is
        return
