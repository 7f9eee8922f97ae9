"""The access matrix: every URL and WebSocket route, for anonymous users and for every role held
on a subtree that does not own the objects, by GET and by POST.

A refusal is a redirect to the login page (anonymous users), a 404 or a 403: never a page with
the other subtree's data, never a redirect to a success page, never a 500, and never one row of
the database changed. Every object of the owning subtree carries MARK in its visible text, so a
page, an Excel file or a flash message that shows one of them is caught, whatever the status.

The attackers hold each role of members.models.Role, or none, on "cousin" upper B (a different
branch of the bloc), and the roles a cell has (secretary, deputy, committee member, none) on
"sibling" cell A1b (the cell next to the owning cell A1a, under the same committee). The few
URLs that anyone logged in may legitimately reach are listed in ALLOWED, each with its reason;
real defects found are in KNOWN_DEFECTS (strict xfail: the test fails as soon as the defect is
fixed, so the entry must then be removed).

The scene is built once for the module and committed, because the WebSocket consumers read it
from their own threads; each HTTP request runs in a transaction rolled back afterwards, so a
request that wrongly writes cannot disturb the next one. The module flushes the database when
it is done.
"""

import io
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from attendance import services as attendance_services
from attendance import tokens
from attendance.models import ExcuseRequest, JoinRequest
from attendance.views import HELD_SCAN, JOINABLE
from config.routing import websocket_urlpatterns
from essays import services as essay_services
from essays import similarity
from essays.models import Essay
from members import downloads as member_downloads
from members import services as member_services
from members.cards import card_code
from members.consumers import user_group
from members.models import Download, MemberImport, Organization, Role, User
from oversight import periods
from oversight import services as oversight_services
from oversight.models import FollowUp, Inspection, InspectionRound
from speakers import services as speaker_services
from speakers.models import RosterImport, Speaker, Talk
from speakers.services import SpeakerSpec
from study import services as study_services
from study.models import (
    ActionItem,
    ActionProgramme,
    ConnectionPoint,
    Document,
    DocumentAttachment,
    Participant,
    Segment,
    StudySession,
)
from study.services import PointSpec, SegmentSpec, SessionSpec
from tests.essays.corpus import ORIGINAL, PLAN
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    RoleAssignmentFactory,
    UserFactory,
)
from tests.members.xlsx import xlsx_upload

pytestmark = pytest.mark.django_db

MARK = "QQLEAK"  # in every visible text of the owning subtree's objects, and nowhere else

ANONYMOUS = "anonymous"
MEMBER = "member"  # a plain member of a cell, with no role
ROLES = [*Role.values, MEMBER]
# Who attacks from where: every role on cousin upper B; on sibling cell A1b, the roles a cell has.
SUBTREE_ROLES = {
    "cousin": ROLES,
    "sibling": [Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.COMMITTEE_MEMBER, MEMBER],
}
FAST_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "members.hashers.TemporaryPasswordHasher",
]
# Tables that a refused request may still touch: the visitor's own login session.
NOT_COMPARED = {"django_session"}


# --- The scene --------------------------------------------------------------------------------


@dataclass
class Own:
    """What an attacker's subtree holds: their cell, a session of theirs and its segment."""

    cell: Organization
    session: StudySession
    segment: Segment
    users: dict[str, User] = field(default_factory=dict)


@dataclass
class Scene:
    now: datetime
    orgs: dict[str, Organization]
    victims: dict[str, User]
    live: StudySession  # cell A1a's hybrid session, taking attendance now
    live_segment: Segment
    point: ConnectionPoint
    past: StudySession  # upper A's session for cell A1a, ended, with essays and a talk
    past_segment: Segment
    draft: StudySession
    bloc: StudySession  # bloc-wide: visible in every cell by design (VIEW_ORG_FIELDS)
    participant: Participant  # m1 in the live session
    bloc_participant: Participant  # m1 in the bloc session
    excuse: ExcuseRequest
    join: JoinRequest
    graded: Essay
    waiting: Essay
    speaker: Speaker
    talk: Talk
    document: Document
    other_document: Document
    attachment: DocumentAttachment
    programme: ActionProgramme
    item: ActionItem
    member_import: MemberImport
    roster_import: RosterImport
    gone: User  # a deactivated member whose calendar link still circulates
    own: dict[str, Own] = field(default_factory=dict)
    # upper A's thematic inspection of its cells, cell A1a's with findings and a follow-up
    inspection_round: InspectionRound | None = None
    inspection: Inspection | None = None
    follow_up: FollowUp | None = None
    download: Download | None = None  # upper A's board's own, prepared, of cell A1a
    sessions: dict[int, str] = field(default_factory=dict)  # each attacker's login session


def _member(cell, name, **fields) -> User:
    user = UserFactory(full_name=name, **fields)
    if cell is not None:
        MembershipFactory(user=user, organization=cell)
    return user


def _holder(role, org, cell, name, **fields) -> User:
    user = _member(cell, name, **fields)
    RoleAssignmentFactory(user=user, organization=org, role=role)
    return user


def _spec(organizer, audience, title, start, **fields) -> SessionSpec:
    values = {
        "title": title,
        "organizer": organizer,
        "audience": audience,
        "starts_at": start,
        "ends_at": start + timedelta(hours=5),
        "venue": "Hội trường tầng 3",
        "segments": [
            SegmentSpec("Buổi sáng", start + timedelta(minutes=30), start + timedelta(hours=4))
        ],
    }
    values.update(fields)
    return SessionSpec(**values)


def _scan(user, segment, at):
    token = tokens.make_token(segment.pk, None, "in", tokens.window_at(at))
    return attendance_services.check_in_with_token(user, token=token, scanned_at=at, now=at)


def _roster_file(rows) -> SimpleUploadedFile:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Họ và tên", "Mã tổ chức", "Cấp", "Số thẻ đảng viên"])
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("bao-cao-vien.xlsx", buffer.getvalue())


def _docx(words: str) -> SimpleUploadedFile:
    from docx import Document as WordDocument

    document = WordDocument()
    document.add_paragraph(words)
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile("thu-hoach.docx", buffer.getvalue())


def _pdf(name: str) -> SimpleUploadedFile:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def _build(now: datetime) -> Scene:
    kind = Organization.Kind
    bloc = OrganizationFactory(name="Đảng bộ Khối", code="DUK", kind=kind.BLOC_COMMITTEE)
    upper_a = OrganizationFactory(
        parent=bloc, name="Đảng bộ Bộ A", code="A", kind=kind.UPPER_COMMITTEE
    )
    committee_a1 = OrganizationFactory(
        parent=upper_a, name="Đảng bộ Vụ A1", code="A1", kind=kind.GRASSROOTS_COMMITTEE
    )
    cell_a1a = OrganizationFactory(parent=committee_a1, name=f"Chi bộ {MARK} A1a", code="A1a")
    cell_a1b = OrganizationFactory(parent=committee_a1, name="Chi bộ A1b", code="A1b")
    upper_b = OrganizationFactory(
        parent=bloc, name="Đảng bộ Bộ B", code="B", kind=kind.UPPER_COMMITTEE
    )
    cell_b = OrganizationFactory(
        parent=upper_b, name="Chi bộ B", code="B-CBCS", kind=kind.GRASSROOTS_CELL
    )
    orgs = {
        o.code: Organization.objects.get(pk=o.pk)
        for o in (bloc, upper_a, committee_a1, cell_a1a, cell_a1b, upper_b, cell_b)
    }
    bloc, upper_a, cell_a1a = orgs["DUK"], orgs["A"], orgs["A1a"]

    # The owning side: cell A1a's secretary and members, upper A's propaganda board.
    sec_a = _holder(Role.SECRETARY, cell_a1a, cell_a1a, f"Bí Thư {MARK}")
    board_a = _holder(Role.PROPAGANDA_OFFICER, upper_a, None, f"Ban Tuyên Giáo {MARK}")
    bloc_board = _holder(Role.PROPAGANDA_OFFICER, bloc, None, "Ban Tuyên Giáo Khối")
    m1 = _member(cell_a1a, f"Đảng Viên {MARK} Một", party_card_number="08.000001")
    m2 = _member(cell_a1a, f"Đảng Viên {MARK} Hai", party_card_number="08.000002")
    m3 = _member(cell_a1a, f"Đảng Viên {MARK} Ba", party_card_number="08.000003")
    gone = _member(cell_a1a, f"Đảng Viên {MARK} Cũ", party_card_number="08.000004")
    joiner = _member(orgs["A1b"], "Đảng Viên Ghé Qua")
    victims = {"sec_a": sec_a, "board_a": board_a, "m1": m1, "m2": m2, "m3": m3}

    # A bloc-wide session, published before the attackers exist (so they are not expected).
    start = now - timedelta(hours=1)
    bloc_session = study_services.create_session(
        bloc_board, spec=_spec(bloc, [bloc], "Học tập toàn Khối", start)
    )
    study_services.publish_session(bloc_board, session=bloc_session, announce=False)

    live = study_services.create_session(
        sec_a,
        spec=_spec(
            cell_a1a,
            [cell_a1a],
            f"Học tập {MARK} đang diễn ra",
            start,
            mode=StudySession.Mode.HYBRID,
            meeting_url="https://hop.example.vn/a1a",
            segments=[
                SegmentSpec(
                    "Buổi sáng",
                    now - timedelta(minutes=30),
                    now + timedelta(hours=3),
                    has_checkout=True,
                )
            ],
            points=[PointSpec(cell_a1a, f"Điểm cầu {MARK}", host=m3)],
        ),
    )
    study_services.publish_session(sec_a, session=live, announce=False)
    live_segment = live.segments.get()
    _scan(m1, live_segment, now)
    participant = live.participants.get(user=m1)
    attendance_services.issue_prompt(participant, live_segment, now=now)
    excuse = attendance_services.ask_excuse(m2, session=live, reason=f"Ốm {MARK}")
    join = attendance_services.ask_to_join(
        joiner,
        token=tokens.make_token(live_segment.pk, None, "in", tokens.window_at(now)),
        scanned_at=now,
        now=now,
    )

    past_start = now - timedelta(days=3)
    past = study_services.create_session(
        board_a,
        spec=_spec(
            upper_a,
            [cell_a1a],
            f"Học tập {MARK} đã qua",
            past_start,
            essay_required=True,
            essay_deadline=now + timedelta(days=10),
            grades_released_together=True,  # its cell's secretary releases them
        ),
    )
    study_services.publish_session(board_a, session=past, now=past_start - timedelta(days=1))
    past_segment = past.segments.get()
    for user in (m1, m2):
        _scan(user, past_segment, past_segment.starts_at + timedelta(minutes=5))
    essays = {}
    for user, submit in ((m1, True), (m2, True), (m3, False)):
        essay = essay_services.essay_for(user, session=past)
        if user == m2:  # written in Word too: its file is for its graders and author only
            essay = essay_services.attach_upload(
                user, essay=essay, upload=_docx(" ".join([f"Thu hoạch {MARK}"] * 20))
            )
        essay = essay_services.save_draft(
            user,
            essay=essay,
            revision=essay.revision,
            sections={name: f"{text} {MARK}" for name, text in ORIGINAL.items()},
            plan=PLAN,
        )
        essays[user.pk] = essay_services.submit_essay(user, essay=essay) if submit else essay
    essay_services.grade_essay(sec_a, essay=essays[m1.pk], level="pass", comment=f"Tốt {MARK}")
    User.objects.filter(pk=gone.pk).update(is_active=False)

    draft = study_services.create_session(
        sec_a, spec=_spec(cell_a1a, [cell_a1a], f"Dự kiến {MARK}", now + timedelta(days=7))
    )

    speaker = speaker_services.add_speaker(
        board_a,
        spec=SpeakerSpec(
            full_name=f"Báo Cáo Viên {MARK}",
            organization=upper_a,
            level="upper",
            decision_number="12-QĐ/ĐU",
            appointed_on=date(2024, 1, 1),
            term_ends_on=date(2029, 1, 1),
            topics=f"Chuyên đề {MARK}",
            user=m3,
        ),
    )
    speaker_services.record_training(
        board_a, speaker=speaker, course=f"Lớp {MARK}", held_on=date(2025, 5, 1), hours=8
    )
    talk = speaker_services.assign_talk(
        board_a, speaker=speaker, session=past, topic=f"Bài nói {MARK}"
    )
    speaker_services.give_feedback(
        m1, talk=talk, content=5, relevance=4, clarity=5, comment=f"Hay {MARK}"
    )
    speaker_services.confirm_roster(board_a, organization=upper_a)

    document = study_services.register_document(
        None, number="328-KL/ĐUK", issued_on=date(2019, 8, 27), title="Kết luận 328"
    )
    other_document = study_services.register_document(
        None, number="02-NQ/ĐUK", issued_on=date(2020, 10, 1), title="Nghị quyết 02"
    )
    attachment = study_services.attach_document_file(
        bloc_board,
        document=document,
        upload=_pdf("ket-luan-328.pdf"),
    )
    programme = study_services.create_programme(
        board_a, organization=upper_a, document=document, title=f"Chương trình {MARK}"
    )
    item = study_services.add_action_item(
        board_a,
        programme=programme,
        content=f"Nội dung {MARK}",
        objective="Mục tiêu",
        solution="Giải pháp",
        deadline=date(2026, 12, 31),
        responsible="Văn phòng",
    )
    member_import = member_services.preview_member_import(
        sec_a,
        upload=xlsx_upload([[f"Đảng Viên Mới {MARK}", "08.000099", "A1a", "", "0912345678"]]),
    ).member_import
    roster_import = speaker_services.preview_roster_import(
        board_a, upload=_roster_file([[f"Báo Cáo Viên Mới {MARK}", "A", "Cấp trên cơ sở", None]])
    ).roster_import

    scene = Scene(
        now=now,
        orgs=orgs,
        victims=victims,
        live=live,
        live_segment=live_segment,
        point=live.connection_points.get(),
        past=past,
        past_segment=past_segment,
        draft=draft,
        bloc=bloc_session,
        participant=participant,
        bloc_participant=bloc_session.participants.get(user=m1),
        excuse=excuse,
        join=join,
        graded=essays[m1.pk],
        waiting=essays[m2.pk],
        speaker=speaker,
        talk=talk,
        document=document,
        other_document=other_document,
        attachment=attachment,
        programme=programme,
        item=item,
        member_import=member_import,
        roster_import=roster_import,
        gone=gone,
    )

    # Upper A's board inspects both its cells this year; A1a's follow-up is overdue.
    scene.inspection_round = oversight_services.draw_inspection_sample(
        board_a,
        organization=upper_a,
        period=periods.year(now.year),
        percentage=100,
        seed=1,
        now=now,
    )
    scene.inspection = oversight_services.record_inspection(
        board_a,
        inspection_of=scene.inspection_round.inspections.get(organization=cell_a1a),
        findings=f"Phát hiện {MARK}",
        recommendations=f"Kiến nghị {MARK}",
        status="in_progress",
    )
    scene.follow_up = oversight_services.add_follow_up(
        board_a,
        inspection_of=scene.inspection,
        action=f"Khắc phục {MARK}",
        deadline=(now - timedelta(days=2)).date(),
    )
    # Recorded as the view does, then run here rather than on a thread after a commit.
    scene.download = Download.objects.create(
        requested_by=board_a,
        kind="oversight.assessment",
        parameters={"organization": cell_a1a.pk, "year": now.year},
        title=f"Đánh giá {cell_a1a.name}",
        filename="danh-gia.xlsx",
    )
    member_downloads.run(scene.download.pk)

    # The attackers: every role on a subtree that owns none of the above, and a plain member.
    for subtree, (role_org, cell) in {
        "cousin": (orgs["B"], orgs["B-CBCS"]),
        "sibling": (orgs["A1b"], orgs["A1b"]),
    }.items():
        users = {
            role: _holder(role, role_org, cell, f"Người {subtree} {role}")
            for role in SUBTREE_ROLES[subtree]
            if role != MEMBER
        }
        users[MEMBER] = _member(cell, f"Đảng viên {subtree}")
        own = study_services.create_session(
            users[Role.SECRETARY], spec=_spec(cell, [cell], f"Buổi học của {subtree}", start)
        )
        study_services.publish_session(users[Role.SECRETARY], session=own, announce=False)
        scene.own[subtree] = Own(cell, own, own.segments.get(), users)
    for user in [*victims.values(), *(u for own in scene.own.values() for u in own.users.values())]:
        if user.pk not in scene.sessions:
            client = Client()
            client.force_login(user)
            scene.sessions[user.pk] = client.session.session_key
    return scene


@pytest.fixture(scope="module")
def matrix_media(tmp_path_factory):
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, matrix_media):
    # Overrides the conftest fixture: the module's scene keeps its files in one place.
    settings.MEDIA_ROOT = matrix_media


@pytest.fixture(autouse=True)
def _views_not_doors(settings):
    # The matrix judges the views: the officers' second factor has its own tests, and an
    # officer who has set it up passes that door anyway.
    settings.HOCTAP_REQUIRE_2FA_ABOVE_CELL = False


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker, matrix_media):
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    with (
        override_settings(MEDIA_ROOT=matrix_media, PASSWORD_HASHERS=FAST_HASHERS),
        django_db_blocker.unblock(),
    ):
        # The scene is committed and flushed at the end: never on a database but the tests'.
        name = str(connection.settings_dict["NAME"])
        assert name.startswith("test_") or "mode=memory" in name or name == ":memory:", name
        try:
            yield _build(timezone.now().replace(second=0, microsecond=0))
        finally:
            app.conf.task_always_eager = eager
            call_command("flush", interactive=False, verbosity=0)


# --- What is requested ------------------------------------------------------------------------


@dataclass
class Ctx:
    """One request's context: the scene, and who is asking from which subtree."""

    s: Scene
    subtree: str
    role: str
    user: User | None

    @property
    def own(self) -> Own:
        return self.s.own[self.subtree]


def _none(c: Ctx) -> dict:
    return {}


@dataclass(frozen=True)
class Case:
    """A URL with its parameters filled from the scene.

    kind "object": the URL (or its form) names an object of the owning subtree: refused.
    kind "page": it names none (lists, forms, own things): any answer, but no data and no write.
    kind "token": a forged or another's token: `refused` are the statuses that say no.
    """

    name: str
    variant: str = ""
    kwargs: Callable[[Ctx], dict] = _none
    query: Callable[[Ctx], dict] = _none
    data: Callable[[Ctx], dict] = _none
    kind: str = "object"
    held: Callable[[Ctx], dict] = _none  # values put in the visitor's session first
    refused: frozenset = frozenset({403, 404, 405})
    get_kind: str | None = None  # when only the POST names the object

    def kind_for(self, method: str) -> str:
        return self.get_kind if method == "GET" and self.get_kind else self.kind

    @property
    def id(self) -> str:
        return f"{self.name}[{self.variant}]" if self.variant else self.name


def _now_token(segment_id, point_id=None, direction="in", shift=0) -> str:
    return tokens.make_token(
        segment_id, point_id, direction, tokens.window_at(timezone.now()) + shift
    )


def _words_of(text: str, count: int) -> str:
    """A passage of an essay as the grading page sends it: its first words, folded."""
    return " ".join(similarity.words(text).folded[:count])


def _held(token: str) -> dict:
    return {"token": token, "at": timezone.now().isoformat()}


FORGED = "WyJmb3JnZWQiXQ:1abcdef:forgedsignatureforgedsignature"
TOKEN_REFUSED = frozenset({400, 403, 404})

SESSION_FORM = {
    "mode": "in_person",
    "venue": "Hội trường khác",
    "meeting_url": "",
    "starts_at": "2027-01-10T07:30",
    "ends_at": "2027-01-10T16:30",
    "segments-TOTAL_FORMS": "1",
    "segments-INITIAL_FORMS": "0",
    "segments-MIN_NUM_FORMS": "1",
    "segments-MAX_NUM_FORMS": "6",
    "segments-0-name": "Sáng",
    "segments-0-starts_at": "2027-01-10T07:30",
    "segments-0-ends_at": "2027-01-10T11:30",
    "points-TOTAL_FORMS": "0",
    "points-INITIAL_FORMS": "0",
    "points-MIN_NUM_FORMS": "0",
    "points-MAX_NUM_FORMS": "50",
}


def _session_form(c: Ctx, org: Organization) -> dict:
    return {**SESSION_FORM, "title": "Đổi tên buổi học", "organizer": org.pk, "audience": [org.pk]}


def _essay_form() -> dict:
    data = {"revision": "0", "understanding": "Hiểu", "relation": "Liên hệ", "proposals": "Đề xuất"}
    for name in ("content", "objective", "solution", "timeline", "responsible"):
        data[f"plan-0-{name}"] = name
    return data


def _grade_form(essay: Essay) -> dict:
    """A complete grade: each default criterion marked, at the essay's present version."""
    marks = {f"mark-{index}": "not_met" for index in range(3)}
    version = Essay.objects.get(pk=essay.pk).revision
    return {"level": "fail", "comment": "Chưa đạt", "version": version, **marks}


def _speaker_form(org: Organization) -> dict:
    return {"full_name": "Người Nói Mới", "organization": org.pk, "level": "upper", "card": ""}


def _period(org: Organization) -> dict:
    return {"organization": org.pk, "start": "2020-01-01", "end": "2030-12-31"}


def _seg(c: Ctx) -> dict:
    return {"pk": c.s.live_segment.pk}


def _live(c: Ctx) -> dict:
    return {"pk": c.s.live.pk}


def _bloc(c: Ctx) -> dict:
    return {"pk": c.s.bloc.pk}


def _past(c: Ctx) -> dict:
    return {"session_pk": c.s.past.pk}


def _mark_data(c: Ctx, participant: Participant, segment: Segment) -> dict:
    return {
        "participant": participant.pk,
        "segment": segment.pk,
        "status": "absent",
        "reason": "Vắng",
    }


def _a1a(c: Ctx) -> dict:
    return {"pk": c.s.orgs["A1a"].pk}


def _year(c: Ctx) -> dict:
    return {"year": timezone.localtime(c.s.now).year}


def _override_form(c: Ctx, member: User) -> dict:
    return {**_year(c), "member": member.pk, "level": "good", "reason": "Lý do"}


def _warning_form(c: Ctx) -> dict:
    return {**_year(c), "unexcused": 1, "missing": 1}


def _rule_form(c: Ctx) -> dict:
    strict = {"min_full_pct": 90, "max_unexcused": 0, "max_missing": 0, "max_failed": 0}
    return {
        **_year(c),
        **{f"good_{name}": value for name, value in strict.items()},
        **{f"pass_{name}": value for name, value in strict.items()},
    }


CASES: list[Case] = [
    # --- config
    Case("home", kind="page"),
    Case("healthz", kind="page"),
    Case("favicon", kind="page"),
    # --- attendance: the scan and its tokens
    Case("attendance:resume", "nothing-held", kind="page"),
    Case(
        "attendance:resume",
        "held-forged",
        held=lambda c: {HELD_SCAN: _held(FORGED)},
        kind="token",
        refused=TOKEN_REFUSED,
    ),
    Case(
        "attendance:resume",
        "held-hall-token",
        held=lambda c: {HELD_SCAN: _held(_now_token(c.s.live_segment.pk))},
        kind="token",
        refused=TOKEN_REFUSED,
    ),
    Case(
        "attendance:code",
        "hall-code",
        data=lambda c: {
            "code": tokens.short_code(
                c.s.live_segment.pk, None, "in", tokens.window_at(timezone.now())
            )
        },
        kind="page",
    ),
    Case("attendance:ask-to-join", "nothing-held", kind="page"),
    Case(
        "attendance:ask-to-join",
        "held-forged",
        held=lambda c: {JOINABLE: _held(FORGED)},
        kind="page",
    ),
    Case(
        "attendance:ask-to-join",
        "held-hall-token",
        held=lambda c: {JOINABLE: _held(_now_token(c.s.live_segment.pk))},
        kind="page",
    ),
    # Issue 16: scans sent later. The member's own list and sender; the app's worker and manifest.
    Case("attendance:offline", kind="page"),
    Case(
        "attendance:offline-send",
        data=lambda c: {"scans": "[]"},
        kind="page",
    ),
    Case("attendance:service-worker", kind="page"),
    Case("attendance:manifest", kind="page"),
    *(
        Case("attendance:scan", variant, kwargs=token, kind="token", refused=TOKEN_REFUSED)
        for variant, token in (
            ("forged", lambda c: {"token": FORGED}),
            ("hall-token", lambda c: {"token": _now_token(c.s.live_segment.pk)}),
            (
                "hall-point-token",
                lambda c: {"token": _now_token(c.s.live_segment.pk, c.s.point.pk)},
            ),
            ("expired", lambda c: {"token": _now_token(c.s.live_segment.pk, shift=-5)}),
            ("future", lambda c: {"token": _now_token(c.s.live_segment.pk, shift=3)}),
            ("tampered", lambda c: {"token": _now_token(c.s.live_segment.pk)[:-2] + "xx"}),
            ("card-code", lambda c: {"token": card_code(c.s.victims["m1"].pk)}),
        )
    ),
    # --- attendance: the organiser's side
    Case(
        "attendance:decide-join",
        kwargs=lambda c: {"pk": c.s.join.pk},
        data=lambda c: {"accept": "1"},
    ),
    Case(
        "attendance:decide-excuse",
        kwargs=lambda c: {"pk": c.s.excuse.pk},
        data=lambda c: {"accept": "1"},
    ),
    Case(
        "attendance:excuse",
        "live",
        kwargs=_live,
        data=lambda c: {"reason": "Bận việc", "segment": ""},
    ),
    Case(
        "attendance:excuse",
        "bloc",
        kwargs=_bloc,
        data=lambda c: {"reason": "Bận việc", "segment": ""},
    ),
    Case("attendance:online", kwargs=_seg),
    Case("attendance:ask-presence", kwargs=_seg),
    Case("attendance:projector", "hall", kwargs=_seg),
    Case("attendance:projector", "point", kwargs=_seg, query=lambda c: {"point": c.s.point.pk}),
    Case("attendance:projector", "out", kwargs=_seg, query=lambda c: {"direction": "out"}),
    Case(
        "attendance:projector",
        "own-segment-their-point",
        kwargs=lambda c: {"pk": c.own.segment.pk},
        query=lambda c: {"point": c.s.point.pk},
    ),
    Case("attendance:projector-state", "hall", kwargs=_seg),
    Case(
        "attendance:projector-state",
        "point",
        kwargs=_seg,
        query=lambda c: {"point": c.s.point.pk},
    ),
    Case(
        "attendance:door",
        "their-segment",
        kwargs=_seg,
        data=lambda c: {"code": card_code(c.s.victims["m2"].pk)},
    ),
    Case(
        "attendance:door",
        "own-segment-their-card",
        kwargs=lambda c: {"pk": c.own.segment.pk},
        data=lambda c: {"code": card_code(c.s.victims["m1"].pk)},
        kind="page",
    ),
    Case(
        "attendance:door-add",
        "their-segment",
        kwargs=_seg,
        data=lambda c: {"code": card_code(c.s.victims["m2"].pk)},
    ),
    Case(
        "attendance:door-add",
        "own-segment-their-card",
        kwargs=lambda c: {"pk": c.own.segment.pk},
        data=lambda c: {"code": card_code(c.s.victims["m1"].pk)},
        kind="page",
    ),
    Case(
        "attendance:door-queue",
        "their-segment",
        kwargs=_seg,
        data=lambda c: {"scans": "[]"},
    ),
    Case(
        "attendance:decide-queued",
        "live",
        kwargs=_live,
        data=lambda c: {"scan": "1", "accept": "1"},
    ),
    Case("attendance:sheet", "live", kwargs=_live),
    Case("attendance:sheet", "bloc", kwargs=_bloc),
    Case(
        "attendance:sheet",
        "own-session-their-org",
        kwargs=lambda c: {"pk": c.own.session.pk},
        query=lambda c: {"org": c.s.orgs["A1a"].pk},
        kind="page",
    ),
    Case("attendance:sheet-xlsx", "live", kwargs=_live),
    Case("attendance:sheet-xlsx", "bloc", kwargs=_bloc),
    Case(
        "attendance:matrix",
        "their-org",
        query=lambda c: _period(c.s.orgs["A1a"]),
        data=lambda c: _period(c.s.orgs["A1a"]),
        kind="page",
    ),
    Case("attendance:live", "live", kwargs=_live),
    Case("attendance:live", "bloc", kwargs=_bloc),
    Case(
        "attendance:mark",
        "live",
        kwargs=_live,
        data=lambda c: _mark_data(c, c.s.participant, c.s.live_segment),
    ),
    Case(
        "attendance:mark",
        "bloc",
        kwargs=_bloc,
        data=lambda c: _mark_data(c, c.s.bloc_participant, c.s.bloc.segments.get()),
    ),
    Case(
        "attendance:mark",
        "own-session-their-participant",
        kwargs=lambda c: {"pk": c.own.session.pk},
        data=lambda c: _mark_data(c, c.s.participant, c.own.segment),
    ),
    # --- essays
    Case("essays:mine", kind="page"),
    Case("essays:write", "past", kwargs=_past, data=lambda c: _essay_form()),
    Case(
        "essays:write",
        "bloc",
        kwargs=lambda c: {"session_pk": c.s.bloc.pk},
        data=lambda c: _essay_form(),
    ),
    Case("essays:autosave", kwargs=_past, data=lambda c: _essay_form()),
    Case(
        "essays:upload",
        kwargs=_past,
        data=lambda c: {"file": _docx(" ".join(["Thu hoạch nghị quyết"] * 20))},
    ),
    Case("essays:queue", "past", kwargs=_past),
    Case("essays:queue", "bloc", kwargs=lambda c: {"session_pk": c.s.bloc.pk}),
    Case(
        "essays:grade",
        "waiting",
        kwargs=lambda c: {"pk": c.s.waiting.pk},
        data=lambda c: _grade_form(c.s.waiting),
    ),
    Case(
        "essays:grade",
        "return",
        kwargs=lambda c: {"pk": c.s.waiting.pk},
        data=lambda c: {"return": "1", "comment": "Viết lại"},
    ),
    Case(
        "essays:grade",
        "graded",
        kwargs=lambda c: {"pk": c.s.graded.pk},
        data=lambda c: _grade_form(c.s.graded),
    ),
    Case(
        "essays:passages",
        "waiting",
        kwargs=lambda c: {"pk": c.s.waiting.pk},
        data=lambda c: {"dismiss": _words_of(ORIGINAL["understanding"], 12)},
    ),
    Case(
        "essays:release",
        "past",
        kwargs=lambda c: {"session_pk": c.s.past.pk, "organization_pk": c.s.orgs["A1a"].pk},
    ),
    Case("essays:upload-file", "waiting", kwargs=lambda c: {"pk": c.s.waiting.pk}),
    Case("essays:progress", "past", kwargs=_past),
    Case("essays:progress", "bloc", kwargs=lambda c: {"session_pk": c.s.bloc.pk}),
    Case("essays:figures", "past", kwargs=_past),
    Case("essays:figures", "bloc", kwargs=lambda c: {"session_pk": c.s.bloc.pk}),
    Case("essays:session-xlsx", "past", kwargs=_past),
    Case("essays:session-xlsx", "bloc", kwargs=lambda c: {"session_pk": c.s.bloc.pk}),
    Case(
        "essays:grades-xlsx",
        "their-org",
        query=lambda c: _period(c.s.orgs["A1a"]),
        kind="page",
    ),
    # --- speakers
    Case("speakers:roster", kind="page", query=lambda c: {"q": "Báo"}),
    Case(
        "speakers:create",
        "their-org",
        data=lambda c: _speaker_form(c.s.orgs["A"]),
        kind="page",
    ),
    Case("speakers:health", kind="page"),
    Case("speakers:mine", kind="page"),
    Case("speakers:export", kind="page"),
    Case(
        "speakers:import",
        "apply",
        data=lambda c: {"apply": c.s.roster_import.pk},
        get_kind="page",
    ),
    Case(
        "speakers:import",
        "upload-their-org",
        data=lambda c: {"file": _roster_file([["Người Nói", "A", "Cơ sở", None]])},
        kind="page",
    ),
    Case("speakers:detail", kwargs=lambda c: {"pk": c.s.speaker.pk}),
    Case(
        "speakers:edit",
        kwargs=lambda c: {"pk": c.s.speaker.pk},
        data=lambda c: _speaker_form(c.s.orgs["A"]),
    ),
    Case(
        "speakers:status",
        kwargs=lambda c: {"pk": c.s.speaker.pk},
        data=lambda c: {"status": "retired", "note": ""},
    ),
    Case(
        "speakers:training",
        kwargs=lambda c: {"pk": c.s.speaker.pk},
        data=lambda c: {"course": "Lớp mới", "held_on": "2026-01-05", "hours": "8"},
    ),
    Case("speakers:confirm", kwargs=lambda c: {"org_pk": c.s.orgs["A"].pk}),
    Case(
        "speakers:talks",
        "past",
        kwargs=_past,
        data=lambda c: {"speaker": c.s.speaker.pk, "topic": "Chuyên đề mới"},
    ),
    Case(
        "speakers:talks",
        "bloc",
        kwargs=lambda c: {"session_pk": c.s.bloc.pk},
        data=lambda c: {"speaker": c.s.speaker.pk, "topic": "Chuyên đề mới"},
    ),
    Case(
        "speakers:feedback",
        "past",
        kwargs=_past,
        data=lambda c: {
            "talk": c.s.talk.pk,
            f"t{c.s.talk.pk}-content": "1",
            f"t{c.s.talk.pk}-relevance": "1",
            f"t{c.s.talk.pk}-clarity": "1",
        },
    ),
    Case(
        "speakers:feedback",
        "bloc",
        kwargs=lambda c: {"session_pk": c.s.bloc.pk},
        data=lambda c: {"talk": c.s.talk.pk},
    ),
    # --- study
    Case("study:session-list", kind="page"),
    Case(
        "study:session-calendar",
        kind="page",
        query=lambda c: {"month": timezone.localdate().strftime("%Y-%m")},
    ),
    Case(
        "study:session-create",
        "their-org",
        data=lambda c: _session_form(c, c.s.orgs["A1a"]),
        kind="page",
    ),
    Case("study:session-detail", "live", kwargs=_live),
    Case("study:session-detail", "past", kwargs=lambda c: {"pk": c.s.past.pk}),
    Case("study:session-detail", "draft", kwargs=lambda c: {"pk": c.s.draft.pk}),
    Case("study:session-detail", "bloc", kwargs=_bloc),
    Case(
        "study:session-edit",
        "live",
        kwargs=_live,
        data=lambda c: _session_form(c, c.s.orgs["A1a"]),
    ),
    Case(
        "study:session-edit",
        "draft-moved-to-own",
        kwargs=lambda c: {"pk": c.s.draft.pk},
        data=lambda c: _session_form(c, c.own.cell),
    ),
    Case(
        "study:session-edit",
        "bloc",
        kwargs=_bloc,
        data=lambda c: _session_form(c, c.s.orgs["DUK"]),
    ),
    Case(
        "study:session-status",
        "publish-draft",
        kwargs=lambda c: {"pk": c.s.draft.pk},
        data=lambda c: {"action": "publish"},
    ),
    Case(
        "study:session-status",
        "cancel-live",
        kwargs=_live,
        data=lambda c: {"action": "cancel"},
    ),
    Case(
        "study:session-status",
        "close-bloc",
        kwargs=_bloc,
        data=lambda c: {"action": "close"},
    ),
    Case(
        "study:participant-add",
        "live-self",
        kwargs=_live,
        data=lambda c: {"card": c.own.users[MEMBER].party_card_number},
    ),
    Case(
        "study:participant-add",
        "own-session-their-member",
        kwargs=lambda c: {"pk": c.own.session.pk},
        data=lambda c: {"card": c.s.victims["m2"].party_card_number},
        kind="page",
    ),
    Case(
        "study:participant-remove",
        "live",
        kwargs=lambda c: {"pk": c.s.live.pk, "user_pk": c.s.victims["m1"].pk},
    ),
    Case(
        "study:participant-remove",
        "bloc",
        kwargs=lambda c: {"pk": c.s.bloc.pk, "user_pk": c.s.victims["m1"].pk},
    ),
    Case(
        "study:participant-remove",
        "own-session-their-member",
        kwargs=lambda c: {"pk": c.own.session.pk, "user_pk": c.s.victims["m1"].pk},
        kind="page",
    ),
    *(
        Case("study:calendar-feed", variant, kwargs=token, kind="token", refused=frozenset({404}))
        for variant, token in (
            ("forged", lambda c: {"token": "x" * 43}),
            ("case-changed", lambda c: {"token": c.s.victims["m1"].calendar_token.swapcase()}),
            ("truncated", lambda c: {"token": c.s.victims["m1"].calendar_token[:-1]}),
            ("deactivated-member", lambda c: {"token": c.s.gone.calendar_token}),
        )
    ),
    Case("study:document-list", kind="page", query=lambda c: {"q": "328"}),
    Case(
        "study:document-create",
        data=lambda c: {
            "number": "15-CT/ĐUK",
            "issued_on": "2026-01-05",
            "title": "Chỉ thị mới",
            "summary": "",
        },
        kind="page",
    ),
    Case(
        "study:document-detail",
        kwargs=lambda c: {"pk": c.s.document.pk},
        data=lambda c: {"file": _pdf("them.pdf")},
    ),
    Case("study:attachment-download", kwargs=lambda c: {"pk": c.s.attachment.pk}),
    Case("study:programme-list", kind="page"),
    Case(
        "study:programme-create",
        "their-org",
        data=lambda c: {
            "organization": c.s.orgs["A"].pk,
            "document": c.s.other_document.pk,
            "title": "Chương trình mới",
        },
        kind="page",
    ),
    Case(
        "study:programme-detail",
        kwargs=lambda c: {"pk": c.s.programme.pk},
        data=lambda c: {
            "content": "Thêm",
            "objective": "Mục tiêu",
            "solution": "Giải pháp",
            "deadline": "2026-12-31",
            "responsible": "Văn phòng",
        },
    ),
    Case(
        "study:item-progress",
        kwargs=lambda c: {"pk": c.s.item.pk},
        data=lambda c: {"progress": "done"},
    ),
    # --- members
    Case("members:profile", kind="page"),
    Case("members:notice-list", kind="page"),
    Case("members:organization-list", kind="page"),
    Case(
        "members:organization-detail",
        kwargs=lambda c: {"pk": c.s.orgs["A1a"].pk},
        query=lambda c: {"q": "Đảng"},
    ),
    Case(
        "members:temporary-passwords",
        "one",
        kwargs=lambda c: {"pk": c.s.orgs["A1a"].pk},
        data=lambda c: {"member": c.s.victims["m1"].pk},
    ),
    Case(
        "members:temporary-passwords",
        "all",
        kwargs=lambda c: {"pk": c.s.orgs["A1a"].pk},
    ),
    Case("members:member-list", kind="page", query=lambda c: {"q": "dang vien"}),
    Case("members:member-detail", kwargs=lambda c: {"pk": c.s.victims["m1"].pk}),
    # --- oversight: the board's dashboard
    Case("oversight:home", kind="page"),
    Case(
        "oversight:organization",
        kwargs=lambda c: {"pk": c.s.orgs["A1a"].pk},
        query=lambda c: {"kind": "year", "year": "2026"},
    ),
    Case(
        "oversight:member",
        kwargs=lambda c: {"pk": c.s.orgs["A1a"].pk, "user_pk": c.s.victims["m1"].pk},
    ),
    # --- oversight: the periodic report
    Case("oversight:report", kwargs=_a1a, query=lambda c: {"kind": "year", **_year(c)}),
    Case("oversight:report-xlsx", kwargs=_a1a, query=lambda c: {"kind": "year", **_year(c)}),
    # --- oversight: thematic inspection
    Case("oversight:inspection-rounds", "board", kwargs=lambda c: {"pk": c.s.orgs["A"].pk}),
    Case("oversight:inspection-rounds", "inspected-cell", kwargs=_a1a),
    Case(
        "oversight:inspection-round-create",
        kwargs=lambda c: {"pk": c.s.orgs["A"].pk},
        data=lambda c: {"kind": "year", "year": "2030", "percentage": "20"},
    ),
    Case("oversight:inspection-round", kwargs=lambda c: {"pk": c.s.inspection_round.pk}),
    Case(
        "oversight:inspection-adjust",
        "remove-their-cell",
        kwargs=lambda c: {"pk": c.s.inspection_round.pk},
        data=lambda c: {"change": "remove", "organization": c.s.orgs["A1b"].pk, "reason": "Thử"},
    ),
    Case(
        "oversight:inspection-adjust",
        "add-own-cell",
        kwargs=lambda c: {"pk": c.s.inspection_round.pk},
        data=lambda c: {"change": "add", "organization": c.own.cell.pk, "reason": "Thử"},
    ),
    Case(
        "oversight:inspection",
        kwargs=lambda c: {"pk": c.s.inspection.pk},
        data=lambda c: {"status": "done", "findings": "Khác", "recommendations": ""},
    ),
    Case(
        "oversight:follow-up-add",
        kwargs=lambda c: {"pk": c.s.inspection.pk},
        data=lambda c: {"action": "Thêm việc", "deadline": "2030-01-01"},
    ),
    Case("oversight:follow-up-done", kwargs=lambda c: {"pk": c.s.follow_up.pk}),
    Case(
        "members:import-upload",
        "their-cell",
        data=lambda c: {
            "file": xlsx_upload([["Người Lạ", c.s.victims["m1"].party_card_number, "A1a", "", ""]])
        },
        kind="page",
    ),
    Case("members:import-apply", kwargs=lambda c: {"pk": c.s.member_import.pk}),
    Case("members:import-template", kind="page"),
    # --- members: large exports prepared in the background (each its asker's alone)
    Case("members:downloads", kind="page"),
    Case("members:download", kwargs=lambda c: {"pk": c.s.download.pk}),
    Case("members:download-status", kwargs=lambda c: {"pk": c.s.download.pk}),
    Case("members:download-file", kwargs=lambda c: {"pk": c.s.download.pk}),
    Case("members:download-again", kwargs=lambda c: {"pk": c.s.download.pk}),
    # --- oversight: the annual study assessment
    Case("oversight:assessment", "cell", kwargs=_a1a, query=_year),
    Case("oversight:assessment", "committee", kwargs=lambda c: {"pk": c.s.orgs["A1"].pk}),
    Case("oversight:assessment-xlsx", kwargs=_a1a, query=_year),
    Case(
        "oversight:assessment-override",
        "their-cell",
        kwargs=_a1a,
        data=lambda c: _override_form(c, c.s.victims["m1"]),
    ),
    Case(
        "oversight:assessment-override",
        "own-cell-their-member",
        kwargs=lambda c: {"pk": c.own.cell.pk},
        data=lambda c: _override_form(c, c.s.victims["m1"]),
        kind="page",
    ),
    Case("oversight:assessment-rule", "cell", kwargs=_a1a, query=_year, data=_rule_form),
    Case(
        "oversight:assessment-rule",
        "bloc",
        kwargs=lambda c: {"pk": c.s.orgs["DUK"].pk},
        query=_year,
        data=_rule_form,
    ),
    Case("oversight:my-year", kind="page", query=lambda c: {"user": c.s.victims["m1"].pk}),
    Case("oversight:warning-rule", "cell", kwargs=_a1a, query=_year, data=_warning_form),
]


# --- What may legitimately be reached ---------------------------------------------------------

EVERYONE = frozenset(ROLES)
DOCUMENT_MANAGERS = frozenset({Role.PROPAGANDA_OFFICER, Role.ADMINISTRATOR})
SPEAKER_MANAGERS = frozenset({Role.PROPAGANDA_OFFICER, Role.ADMINISTRATOR})
IMPORTERS = frozenset({Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.ADMINISTRATOR})
ATTENDANCE_RUNNERS = frozenset(
    {Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.PROPAGANDA_OFFICER, Role.ADMINISTRATOR}
)
ESSAY_VIEWERS = frozenset(set(Role.values))
ESSAY_GRADERS = frozenset({Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.ADMINISTRATOR})
BLOC_WIDE = (
    "a bloc-wide session is visible in every cell by design (StudySession.VIEW_ORG_FIELDS with "
    "ancestors, members/permissions.py); what it lists is still scoped to the visitor's subtree"
)


@dataclass(frozen=True)
class Allowed:
    reason: str
    roles: frozenset = EVERYONE
    methods: frozenset = frozenset({"GET", "POST"})
    statuses: frozenset = frozenset({200})
    writes: frozenset = frozenset()  # tables the request may change


ALLOWED: dict[str, list[Allowed]] = {
    "healthz": [
        Allowed(
            "the load balancer's probe: public, no database, says only 'ok'",
            roles=frozenset({*ROLES, ANONYMOUS}),
        )
    ],
    "favicon": [
        Allowed(
            "the site's icon, which browsers ask for before anyone logs in: public, no database",
            roles=frozenset({*ROLES, ANONYMOUS}),
        )
    ],
    "attendance:service-worker": [
        Allowed(
            "the phone's service worker (issue 16), fetched by the browser for the app's scope: "
            "public, no database, the same text for everyone",
            roles=frozenset({*ROLES, ANONYMOUS}),
            methods=frozenset({"GET"}),
        )
    ],
    "attendance:manifest": [
        Allowed(
            "the web app manifest, which browsers read before anyone logs in: public, no "
            "database, the same for everyone",
            roles=frozenset({*ROLES, ANONYMOUS}),
            methods=frozenset({"GET"}),
        )
    ],
    "study:document-detail": [
        Allowed(
            "the document registry is shared by the whole bloc: Document has no ORG_FIELD and "
            "every logged-in member reads the documents they study",
            methods=frozenset({"GET"}),
        ),
        Allowed(
            "study.manage_documents held anywhere manages the one shared registry (ROLE_ACTIONS)",
            roles=DOCUMENT_MANAGERS,
            methods=frozenset({"POST"}),
            statuses=frozenset({200, 302}),
            writes=frozenset({"study_documentattachment", "study_document", "members_auditentry"}),
        ),
    ],
    "study:attachment-download": [
        Allowed(
            "a document's file is part of the shared registry, served to anyone logged in",
        )
    ],
    "study:document-create": [
        Allowed(
            "study.manage_documents held anywhere registers documents in the shared registry",
            roles=DOCUMENT_MANAGERS,
            methods=frozenset({"POST"}),
            statuses=frozenset({302}),
            writes=frozenset({"study_document", "members_auditentry"}),
        )
    ],
    "members:import-upload[their-cell]": [
        Allowed(
            "the preview keeps the uploader's own file (MemberImport.OWNER_FIELD); the rows of "
            "another subtree are named as problems and nothing about members is written",
            roles=IMPORTERS,
            methods=frozenset({"POST"}),
            writes=frozenset({"members_memberimport"}),
        )
    ],
    "speakers:import[upload-their-org]": [
        Allowed(
            "the preview keeps the uploader's own file (RosterImport.OWNER_FIELD); the rows of "
            "another subtree are named as problems and no speaker is written",
            roles=SPEAKER_MANAGERS,
            methods=frozenset({"POST"}),
            writes=frozenset({"speakers_rosterimport"}),
        )
    ],
    "attendance:ask-to-join[held-hall-token]": [
        Allowed(
            "whoever scanned the hall's current QR may ask to be added; the organiser decides "
            "(attendance.models.JoinRequest)",
            statuses=frozenset({302}),
            writes=frozenset({"attendance_joinrequest"}),
        )
    ],
    "study:session-detail[bloc]": [Allowed(BLOC_WIDE)],
    "attendance:excuse[bloc]": [
        Allowed(BLOC_WIDE + "; a visitor who is not expected gets a form error")
    ],
    "attendance:sheet[bloc]": [Allowed(BLOC_WIDE, roles=ATTENDANCE_RUNNERS)],
    "attendance:sheet-xlsx[bloc]": [Allowed(BLOC_WIDE, roles=ATTENDANCE_RUNNERS)],
    "attendance:live[bloc]": [Allowed(BLOC_WIDE, roles=ATTENDANCE_RUNNERS)],
    "essays:write[bloc]": [
        Allowed(
            BLOC_WIDE + "; it asks no essay, so the visitor is sent back to the session",
            statuses=frozenset({302}),
        )
    ],
    "essays:queue[bloc]": [Allowed(BLOC_WIDE, roles=ESSAY_GRADERS)],
    "essays:figures[bloc]": [Allowed(BLOC_WIDE, roles=ESSAY_VIEWERS)],
    "essays:progress[bloc]": [Allowed(BLOC_WIDE, roles=ESSAY_VIEWERS)],
    "essays:session-xlsx[bloc]": [Allowed(BLOC_WIDE, roles=ESSAY_VIEWERS)],
    "speakers:feedback[bloc]": [Allowed(BLOC_WIDE + "; there is no talk the visitor may rate")],
}


def _allowances(case: Case, who: str, method: str) -> list[Allowed]:
    return [
        allowed
        for allowed in ALLOWED.get(case.id, []) + ALLOWED.get(case.name, [])
        if who in allowed.roles and method in allowed.methods
    ]


# Real defects: (case id, subtree or None for both, roles, methods, what leaks), each made a
# strict xfail of those cases. None today: every case above is refused as it should be.
KNOWN_DEFECTS: list[tuple[str, str | None, frozenset, frozenset, str]] = []


def _defect(case: Case, subtree: str, role: str, method: str) -> str | None:
    for case_id, where, roles, methods, reason in KNOWN_DEFECTS:
        if case_id == case.id and where in (None, subtree) and role in roles and method in methods:
            return reason
    return None


# --- Looking at the database and the answer ---------------------------------------------------

_tables: list[str] = []


def _snapshot() -> dict[str, int]:
    """A fingerprint of every row of every table (but the login sessions)."""
    with connection.cursor() as cursor:
        if not _tables:
            _tables.extend(sorted(set(connection.introspection.table_names(cursor)) - NOT_COMPARED))
        prints = {}
        for table in _tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 -- our own table names
            rows = (
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in cursor.fetchall()
            )
            prints[table] = hash(tuple(sorted(repr(row) for row in rows)))
    return prints


def _changed(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {table for table in before if before[table] != after[table]}


def _write_counters() -> object:
    """What the database counts of this connection's writes: the rows changed so far (SQLite),
    or the rows inserted, updated and deleted per table in this transaction (PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT total_changes()")
            return cursor.fetchone()[0]
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
                " WHERE n_tup_ins + n_tup_upd + n_tup_del > 0"
            )
            return {table: n for table, n in cursor.fetchall() if table not in NOT_COMPARED}
    return None


def _request_writes(request: Callable[[], object]) -> tuple[object, set[str]]:
    """Run the request in a savepoint; the tables it changed. The tables are only compared
    when the database counted a write at all (most requests write nothing)."""
    counters = _write_counters()
    before = None if counters is not None else _snapshot()
    savepoint = transaction.savepoint()
    response = request()
    if counters is not None and _write_counters() == counters:
        return response, set()
    after = _snapshot()
    if before is None:
        transaction.savepoint_rollback(savepoint)
        before = _snapshot()
    return response, _changed(before, after)


def _visible_text(response) -> str:
    """What the visitor gets to read: the page or file, the Location, the flash messages."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    if "spreadsheetml" in response.get("Content-Type", ""):
        with zipfile.ZipFile(io.BytesIO(body)) as workbook:
            body = b"".join(workbook.read(name) for name in workbook.namelist())
    messages = " ".join(str(m) for m in get_messages(response.wsgi_request))
    return f"{body.decode('utf-8', 'replace')} {response.get('Location', '')} {messages}"


def _login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def _client_for(ctx: Ctx, case: Case) -> Client:
    client = Client()
    if ctx.user is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = ctx.s.sessions[ctx.user.pk]
    values = case.held(ctx)
    if ctx.user is not None:
        # Signed in with a password just now: sensitive views do not ask for it again.
        values = {
            "account_authentication_methods": [{"method": "password", "at": time.time()}],
            "account_authentication_methods_user": str(ctx.user.pk),
            **values,
        }
    if values:
        session = client.session
        session.update(values)
        session.save()
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


def _ask(client: Client, ctx: Ctx, case: Case, method: str):
    path = reverse(case.name, kwargs=case.kwargs(ctx))
    if method == "GET":
        return client.get(path, case.query(ctx))
    query = case.query(ctx)
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(path, case.data(ctx))


def _judge(case: Case, who: str, method: str, response, changed: set[str], text: str) -> None:
    allowances = _allowances(case, who, method)
    status = response.status_code
    statuses = set().union(*(a.statuses for a in allowances)) if allowances else set()
    writes = set().union(*(a.writes for a in allowances)) if allowances else set()

    assert status < 500
    assert MARK not in text, f"the answer ({status}) shows the other subtree's data"
    assert changed <= writes, f"the request ({status}) changed {sorted(changed - writes)}"
    if who != ANONYMOUS:
        # A logged-in visitor sent to the accounts pages means the view itself was not reached.
        assert not response.get("Location", "").startswith("/accounts/"), response["Location"]
    if status in statuses:
        return
    if who == ANONYMOUS:
        assert _login_redirect(response) or status in case.refused, status
    elif case.kind_for(method) != "page":
        assert status in case.refused, f"{status} {response.get('Location', '')}"


def _params():
    who = [(None, ANONYMOUS)] + [
        (subtree, role) for subtree, roles in SUBTREE_ROLES.items() for role in roles
    ]
    for case in CASES:
        for subtree, role in who:
            for method in ("GET", "POST"):
                reason = _defect(case, subtree, role, method)
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                label = f"{subtree}-{role}" if subtree else role
                yield pytest.param(
                    case, subtree, role, method, id=f"{case.id}-{label}-{method}", marks=marks
                )


@pytest.mark.parametrize(("case", "subtree", "role", "method"), list(_params()))
def test_another_subtree_is_refused(scene, case, subtree, role, method):
    user = None if role == ANONYMOUS else scene.own[subtree].users[role]
    ctx = Ctx(scene, subtree or "cousin", role, user)

    with transaction.atomic():
        client = _client_for(ctx, case)  # what is held in the session is not what is judged
        response, changed = _request_writes(lambda: _ask(client, ctx, case, method))
        text = _visible_text(response)
        transaction.set_rollback(True)

    _judge(case, role, method, response, changed, text)


# The same requests by the owning side do reach the data and do write: the matrix can see a leak.
OWNER_CHECKS = [
    ("study:session-detail[live]", "sec_a", "GET"),
    ("study:session-detail[draft]", "sec_a", "GET"),
    ("study:session-edit[live]", "sec_a", "POST"),
    ("study:session-status[publish-draft]", "sec_a", "POST"),
    ("study:participant-remove[live]", "sec_a", "POST"),
    ("attendance:sheet[live]", "sec_a", "GET"),
    ("attendance:sheet-xlsx[live]", "sec_a", "GET"),
    ("attendance:projector[point]", "sec_a", "GET"),
    ("attendance:mark[live]", "sec_a", "POST"),
    ("attendance:decide-excuse", "sec_a", "POST"),
    ("attendance:decide-join", "sec_a", "POST"),  # a member of another cell joins as a guest
    ("attendance:door[their-segment]", "sec_a", "POST"),
    ("attendance:door-add[their-segment]", "sec_a", "POST"),
    ("attendance:scan[hall-token]", "m2", "GET"),
    ("attendance:code[hall-code]", "m2", "POST"),
    ("essays:grade[waiting]", "sec_a", "POST"),
    ("essays:passages[waiting]", "sec_a", "POST"),
    ("essays:release[past]", "sec_a", "POST"),
    ("essays:session-xlsx[past]", "board_a", "GET"),
    ("essays:write[past]", "m3", "POST"),
    ("members:member-detail", "sec_a", "GET"),
    ("members:temporary-passwords[one]", "sec_a", "POST"),
    ("members:import-apply", "sec_a", "POST"),
    ("members:download", "board_a", "GET"),
    ("members:download-file", "board_a", "GET"),
    ("speakers:detail", "board_a", "GET"),
    ("speakers:status", "board_a", "POST"),
    ("speakers:import[apply]", "board_a", "POST"),
    ("speakers:confirm", "board_a", "POST"),
    ("study:item-progress", "board_a", "POST"),
    ("study:programme-detail", "board_a", "POST"),
    ("oversight:assessment[cell]", "sec_a", "GET"),
    ("oversight:assessment-xlsx", "sec_a", "GET"),
    ("oversight:assessment-override[their-cell]", "sec_a", "POST"),
    ("oversight:assessment-rule[cell]", "sec_a", "POST"),
    ("oversight:warning-rule[cell]", "sec_a", "POST"),
    ("oversight:report", "sec_a", "GET"),
    ("oversight:report-xlsx", "sec_a", "GET"),
    ("oversight:inspection-rounds[board]", "board_a", "GET"),
    ("oversight:inspection-round", "board_a", "GET"),
    ("oversight:inspection", "sec_a", "GET"),  # the inspected cell reads its inspection
    ("oversight:inspection-adjust[remove-their-cell]", "board_a", "POST"),
    ("oversight:follow-up-add", "board_a", "POST"),
    ("oversight:follow-up-done", "board_a", "POST"),
]


@pytest.mark.parametrize(("case_id", "owner", "method"), OWNER_CHECKS)
def test_the_owning_side_is_seen_reaching_its_data(scene, case_id, owner, method):
    case = next(c for c in CASES if c.id == case_id)
    user = scene.victims[owner]
    ctx = Ctx(scene, "cousin", "owner", user)

    with transaction.atomic():
        client = _client_for(ctx, case)
        response, changed = _request_writes(lambda: _ask(client, ctx, case, method))
        text = _visible_text(response)
        transaction.set_rollback(True)

    assert response.status_code in (200, 302)
    assert MARK in text or changed - {"members_auditentry"}


# --- Every route is in the matrix -------------------------------------------------------------

EXCLUDED = ("admin/", "accounts/", "i18n/", "static/")


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(EXCLUDED):
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern) and not route.startswith(EXCLUDED):
            yield f"{namespace}{entry.name}", route


def test_every_url_of_the_project_is_in_the_matrix():
    routes = dict(_walk(get_resolver().url_patterns))

    assert sorted(set(routes) - {case.name for case in CASES}) == []
    assert sorted({case.name for case in CASES} - set(routes)) == []


# --- WebSockets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SocketCase:
    route: str
    variant: str
    path: Callable[[Scene], str]
    opens_for_roles: bool = False  # the route is each user's own channel


SOCKET_CASES = [
    SocketCase("ws/me/", "own-channel", lambda s: "/ws/me/", opens_for_roles=True),
    SocketCase(
        "ws/attendance/segments/<int:segment_id>/",
        "hall",
        lambda s: f"/ws/attendance/segments/{s.live_segment.pk}/",
    ),
    SocketCase(
        "ws/attendance/segments/<int:segment_id>/",
        "point",
        lambda s: f"/ws/attendance/segments/{s.live_segment.pk}/?point={s.point.pk}",
    ),
    SocketCase(
        "ws/attendance/presence/<int:segment_id>/",
        "live",
        lambda s: f"/ws/attendance/presence/{s.live_segment.pk}/",
    ),
]


def test_every_websocket_route_is_in_the_matrix():
    assert sorted({str(p.pattern) for p in websocket_urlpatterns}) == sorted(
        {case.route for case in SOCKET_CASES}
    )


def _socket_params():
    who = [(None, ANONYMOUS)] + [
        (subtree, role) for subtree, roles in SUBTREE_ROLES.items() for role in roles
    ]
    for case in SOCKET_CASES:
        for subtree, role in who:
            label = f"{subtree}-{role}" if subtree else role
            yield pytest.param(case, subtree, role, id=f"{case.route}[{case.variant}]-{label}")


@pytest.fixture
async def _close_worker_connections():
    # The consumers read the database in Channels' worker thread; that thread's connection
    # must not outlive the test (PostgreSQL refuses to drop a database still in use).
    yield
    await sync_to_async(connections.close_all)()


@pytest.mark.usefixtures("_close_worker_connections")
@pytest.mark.parametrize(("case", "subtree", "role"), list(_socket_params()))
async def test_another_subtrees_socket_is_refused(scene, case, subtree, role):
    cookie = []
    if role != ANONYMOUS:
        key = scene.sessions[scene.own[subtree].users[role].pk]
        cookie = [(b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode())]

    # The consumers read from their own threads: the scene and the login are committed.
    before = await sync_to_async(_snapshot)()
    comm = WebsocketCommunicator(
        application(), case.path(scene), headers=[(b"origin", b"http://localhost"), *cookie]
    )
    accepted, code = await comm.connect()
    connected = accepted
    received = []
    if connected and not await comm.receive_nothing(timeout=0.1):
        # Refused as a browser can read it: accepted, then closed at once with the app's code.
        closed = await comm.receive_output()
        connected, code = closed["type"] != "websocket.close", closed.get("code")
    elif connected:
        # Whatever is sent to the owning subtree's member must not reach this socket.
        await get_channel_layer().group_send(
            user_group(scene.victims["m1"].pk),
            {"type": "user.event", "payload": {"text": MARK}},
        )
        if not await comm.receive_nothing(timeout=0.1):
            received.append(await comm.receive_json_from())
        await comm.disconnect()
    after = await sync_to_async(_snapshot)()

    assert received == []
    assert _changed(before, after) == set()
    if role != ANONYMOUS and case.opens_for_roles:
        assert connected
    else:
        # Accepted first: closed before its accept, a browser would see 1006 and not the code.
        assert accepted and not connected and code in (4401, 4403)


@pytest.mark.usefixtures("_close_worker_connections")
@pytest.mark.parametrize(("variant", "owner"), [("hall", "sec_a"), ("point", "m3"), ("live", "m1")])
async def test_the_owning_side_opens_its_sockets(scene, variant, owner):
    case = next(c for c in SOCKET_CASES if c.variant == variant)
    key = scene.sessions[scene.victims[owner].pk]
    comm = WebsocketCommunicator(
        application(),
        case.path(scene),
        headers=[
            (b"origin", b"http://localhost"),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode()),
        ],
    )

    connected, _code = await comm.connect()
    stays_open = connected and await comm.receive_nothing(timeout=0.1)  # a refusal closes
    await comm.disconnect()

    assert stays_open


def application():
    from config.asgi import application as asgi

    return asgi
