"""A small bloc with study in this quarter and the one before, for the board's browser tests
(tests/e2e/test_inspection.py, tests/e2e/test_periodic_report.py). Built with the services, in
a plain thread (tests.e2e.conftest.outside_event_loop)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from attendance import services as attendance_services
from attendance import tokens
from essays import services as essay_services
from members.models import Organization, Role
from study import services as study_services
from study.services import SegmentSpec, SessionSpec
from tests.essays.corpus import INDEPENDENT, PLAN
from tests.factories import MembershipFactory, RoleAssignmentFactory, UserFactory

OFFICER = "09.120001"
# The secretary of each cell, by the cell's name (each a member of their cell too).
SECRETARIES = {"Chi bộ Một": "09.120011", "Chi bộ Hai": "09.120012", "Chi bộ Ba": "09.120013"}


@dataclass
class Bloc:
    bloc: Organization
    cells: dict[str, Organization]
    now: datetime  # when it was built, in Hanoi


def quarter_start(moment: datetime) -> datetime:
    return moment.replace(month=3 * ((moment.month - 1) // 3) + 1, day=1, hour=0, minute=0)


def too_early_in_the_quarter(moment: datetime) -> bool:
    """Today's session, six hours ago, must be over and in this quarter."""
    return moment - quarter_start(moment) < timedelta(hours=7)


def _scan(member, segment, moment, direction="in"):
    token = tokens.make_token(segment.pk, None, direction, tokens.window_at(moment))
    attendance_services.check_in_with_token(member, token=token, scanned_at=moment, now=moment)


def _essay(member, session, sections):
    written = essay_services.essay_for(member, session=session)
    written = essay_services.save_draft(
        member, essay=written, revision=written.revision, sections=sections, plan=PLAN
    )
    return essay_services.submit_essay(member, essay=written)


def _held(officer, bloc, title, segments, **extra):
    session = study_services.create_session(
        officer,
        spec=SessionSpec(
            title=title,
            organizer=bloc,
            audience=[bloc],
            starts_at=segments[0].starts_at,
            ends_at=segments[-1].ends_at,
            venue="Hội trường",
            segments=segments,
            **extra,
        ),
    )
    study_services.publish_session(officer, session=session, announce=False)
    return list(session.segments.order_by("starts_at")), session


def build() -> Bloc:
    """The bloc ─ two committees ─ three cells:

    Đảng bộ Bộ Một: Chi bộ Một (secretary, Một A, Một B), Chi bộ Hai (secretary, Hai A)
    Đảng bộ Bộ Hai: Chi bộ Ba (secretary, Ba A)

    Last quarter, one bloc-wide morning: Một A, Một B and Ba A came.
    Today (six hours ago), a bloc-wide morning and afternoon (check-out), essay asked, due in
    ten days: Một A both, stayed to the end, essay pass; Một B and Hai A the morning only, Một
    B's essay fail; the secretaries and Ba A nothing.
    """
    now = timezone.localtime().replace(microsecond=0)
    add = Organization.objects.add_child
    bloc = Organization.objects.add_root(
        create_kwargs={"name": "Đảng bộ Khối Kiểm Tra", "code": "DUKT", "kind": "bloc_committee"}
    )
    one = add(
        bloc, create_kwargs={"name": "Đảng bộ Bộ Một", "code": "BM1", "kind": "upper_committee"}
    )
    two = add(
        Organization.objects.get(pk=bloc.pk),
        create_kwargs={"name": "Đảng bộ Bộ Hai", "code": "BM2", "kind": "upper_committee"},
    )
    cells = {
        name: add(
            Organization.objects.get(pk=parent.pk),
            create_kwargs={"name": name, "code": code, "kind": "cell"},
        )
        for name, code, parent in (
            ("Chi bộ Một", "CBM1", one),
            ("Chi bộ Hai", "CBM2", one),
            ("Chi bộ Ba", "CBM3", two),
        )
    }
    officer = UserFactory(party_card_number=OFFICER, full_name="Ban Tuyên Giáo Khối Kiểm Tra")
    RoleAssignmentFactory(user=officer, organization=bloc, role=Role.PROPAGANDA_OFFICER)
    secretaries = {}
    for number, (name, card) in enumerate(SECRETARIES.items(), start=1):
        secretaries[name] = UserFactory(party_card_number=card, full_name=f"Bí Thư Số {number}")
        RoleAssignmentFactory(user=secretaries[name], organization=cells[name], role=Role.SECRETARY)
        MembershipFactory(user=secretaries[name], organization=cells[name])
    people = {}
    for card, key, cell in (
        ("09.120021", "Một A", "Chi bộ Một"),
        ("09.120022", "Một B", "Chi bộ Một"),
        ("09.120023", "Hai A", "Chi bộ Hai"),
        ("09.120024", "Ba A", "Chi bộ Ba"),
    ):
        people[key] = UserFactory(party_card_number=card, full_name=f"Đảng Viên {key}")
        MembershipFactory(user=people[key], organization=cells[cell])

    earlier = (quarter_start(now) - timedelta(days=45)).replace(hour=8)
    (morning,), _session = _held(
        officer,
        bloc,
        "Học tập Nghị quyết quý trước",
        [SegmentSpec("Buổi sáng", earlier, earlier + timedelta(hours=3))],
    )
    for key in ("Một A", "Một B", "Ba A"):
        _scan(people[key], morning, earlier + timedelta(minutes=5))

    start = now - timedelta(hours=6)
    (morning, afternoon), session = _held(
        officer,
        bloc,
        "Học tập Kết luận 328",
        [
            SegmentSpec("Buổi sáng", start, start + timedelta(hours=2)),
            SegmentSpec(
                "Buổi chiều",
                start + timedelta(hours=3),
                start + timedelta(hours=5),
                has_checkout=True,
            ),
        ],
        essay_required=True,
        essay_deadline=start + timedelta(days=10),
    )
    for key in ("Một A", "Một B", "Hai A"):
        _scan(people[key], morning, morning.starts_at + timedelta(minutes=2))
    _scan(people["Một A"], afternoon, afternoon.starts_at + timedelta(minutes=2))
    _scan(people["Một A"], afternoon, afternoon.ends_at - timedelta(minutes=5), direction="out")
    grader = secretaries["Chi bộ Một"]
    essay_services.grade_essay(
        grader, essay=_essay(people["Một A"], session, INDEPENDENT[0]), level="pass"
    )
    essay_services.grade_essay(
        grader, essay=_essay(people["Một B"], session, INDEPENDENT[1]), level="fail"
    )
    return Bloc(bloc=bloc, cells=cells, now=now)
