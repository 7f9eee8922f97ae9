"""Demo speakers: a small roster with one term ending soon and one record missing data."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from members.demo import BLOC_CODE
from members.models import Organization, Role, RoleAssignment
from speakers import services
from speakers.models import Speaker
from speakers.services import SpeakerSpec
from study.models import StudySession


@transaction.atomic
def seed() -> None:
    if Speaker.objects.exists():
        return
    today = timezone.localdate()
    bloc = Organization.objects.get(code=BLOC_CODE)
    ministry = Organization.objects.get(code="BTP")
    board = RoleAssignment.objects.get(organization=bloc, role=Role.PROPAGANDA_OFFICER).user
    people = [
        SpeakerSpec(
            "Nguyễn Văn Tuyên",
            bloc,
            Speaker.Level.BLOC,
            "56-QĐ/ĐUK",
            today - timedelta(days=4 * 365),
            today + timedelta(days=45),
            "Xây dựng Đảng; học tập, quán triệt nghị quyết",
            "advanced",
            "Tiến sĩ Triết học",
        ),
        SpeakerSpec(
            "Trần Thị Giảng",
            ministry,
            Speaker.Level.UPPER,
            "112-QĐ/ĐU",
            today - timedelta(days=2 * 365),
            today + timedelta(days=3 * 365),
            "Pháp luật; cải cách hành chính",
            "advanced",
            "Thạc sĩ Luật",
        ),
        SpeakerSpec(
            "Lê Minh Báo",
            ministry,
            Speaker.Level.GRASSROOTS,
            "",
            None,
            None,
            "Công tác dân vận",
            "intermediate",
            "Cử nhân",
        ),
    ]
    speakers = [services.add_speaker(board, spec=spec) for spec in people]
    services.record_training(
        board,
        speaker=speakers[1],
        course="Bồi dưỡng báo cáo viên Đảng ủy Khối",
        held_on=today - timedelta(days=200),
        hours=24,
        certificate="CC-2026-118",
    )
    session = StudySession.objects.filter(
        organizer=bloc, status=StudySession.Status.PUBLISHED
    ).first()
    if session is not None:
        services.assign_talk(
            board,
            speaker=speakers[0],
            session=session,
            segment=session.segments.order_by("starts_at").first(),
            topic="Những nội dung cơ bản của Kết luận 328-KL/ĐUK",
        )
