"""Demo attendance: a bloc-wide session held three weeks ago, so that the board's dashboard and
the sheets show real figures, with the drop-off Conclusion 328 describes ("crowded in the
morning, thin at noon, empty in the afternoon"). Idempotent."""

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from attendance.models import CheckIn, Decision, Direction, ExcuseRequest, Method
from members.demo import BLOC_CODE
from members.models import Organization, Role, RoleAssignment
from study import services
from study.models import Document, StudySession
from study.services import SegmentSpec, SessionSpec

TITLE = "Hội nghị học tập, quán triệt Nghị quyết 02-NQ/ĐUK (đã tổ chức)"


def _local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=timezone.get_current_timezone())


@transaction.atomic
def seed(today: date | None = None) -> None:
    if StudySession.objects.filter(title=TITLE).exists():
        return
    bloc = Organization.objects.filter(code=BLOC_CODE).first()
    if bloc is None:
        return
    board = RoleAssignment.objects.get(organization=bloc, role=Role.PROPAGANDA_OFFICER).user
    day = (today or timezone.localdate()) - timedelta(days=21)
    session = services.create_session(
        board,
        spec=SessionSpec(
            title=TITLE,
            organizer=bloc,
            audience=[bloc],
            documents=list(Document.objects.filter(number="02-NQ/ĐUK")),
            venue="Hội trường Đảng ủy Khối, 2 Hoàng Văn Thụ, Hà Nội",
            starts_at=_local(day, 7, 30),
            ends_at=_local(day, 16, 30),
            segments=[
                SegmentSpec("Buổi sáng", _local(day, 7, 30), _local(day, 11, 30)),
                SegmentSpec(
                    "Buổi chiều", _local(day, 13, 30), _local(day, 16, 30), has_checkout=True
                ),
            ],
        ),
    )
    services.publish_session(
        board, session=session, now=_local(day - timedelta(days=7), 9), announce=False
    )
    morning, afternoon = session.segments.order_by("starts_at")
    rng = random.Random(2)  # noqa: S311 -- demo figures, not security
    check_ins, excuses = [], []
    for participant in session.participants.select_related("organization"):
        luck = rng.random()
        # Some cells hold on better than others: the ranking has something to show.
        keen = (sum(map(ord, participant.organization.code)) % 5) / 20
        if luck < 0.05:
            excuses.append(
                ExcuseRequest(
                    participant=participant,
                    reason="Đi công tác theo quyết định của cơ quan",
                    decision=Decision.ACCEPTED,
                    decided_by=board,
                    decided_at=_local(day, 7),
                    created_at=_local(day - timedelta(days=1), 16),
                )
            )
            continue
        if luck > 0.93:
            continue  # absent without a word
        arrived = _local(day, 7, 10 + rng.randrange(45))
        check_ins.append(_scan(participant, morning, arrived))
        if rng.random() < 0.62 + keen:
            check_ins.append(_scan(participant, afternoon, _local(day, 13, 10 + rng.randrange(40))))
            leaves = (
                _local(day, 16, 25) if rng.random() < 0.8 else _local(day, 15, rng.randrange(50))
            )
            check_ins.append(_scan(participant, afternoon, leaves, Direction.OUT))
    CheckIn.objects.bulk_create(check_ins, batch_size=1000)
    ExcuseRequest.objects.bulk_create(excuses, batch_size=1000)
    StudySession.objects.filter(pk=session.pk).update(status=StudySession.Status.CLOSED)


def _scan(participant, segment, at: datetime, direction: str = Direction.IN) -> CheckIn:
    return CheckIn(
        participant=participant,
        segment=segment,
        direction=direction,
        at=at,
        method=Method.PROJECTOR_QR,
        created_at=at,
    )
