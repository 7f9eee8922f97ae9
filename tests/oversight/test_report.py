"""Issue 12.5: the periodic report, every figure and change against a small hand-computed
fixture of two quarters; the .xlsx holds the page's numbers."""

from datetime import date, datetime
from io import BytesIO

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from essays import services as essay_services
from members.models import Role
from oversight import periods, report
from study import services as study_services
from study.services import SegmentSpec, SessionSpec
from tests.essays.corpus import INDEPENDENT
from tests.oversight.test_dashboard import essay, scan
from tests.oversight.test_dashboard import scene as december_scene  # noqa: F401 -- a fixture
from tests.times import HANOI, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """The report's texts are checked in English (pages ask for it with the language cookie)."""
    with translation.override("en"):
        yield


Q4 = periods.quarter(2026, 4)
AFTER = at(22, 9)  # both sessions are over, their essays due


def sept(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 9, day, hour, minute, tzinfo=HANOI)


@pytest.fixture
def scene(org_tree, holder_of, december_scene):  # noqa: F811 -- the fixture above
    """The dashboard's December session (quarter IV), and one of 10/09 (quarter III), bloc-wide,
    morning only, essay due 20/09, with the same five members:

    m1 (A1a) on time, essay on time graded pass
    m2 (A1a) on time, essay on time graded basic pass
    m3 (A1b) absent, no excuse, no essay
    m5 (A1b) absent, no excuse, no essay
    m4 (B)   on time, no essay

    Quarter III:  expected 5, fully 3, unexcused 2 (60 %); essays 5, submitted 2 on time,
                  missing 3, pass 1, basic pass 1.  Bộ A: 4, fully 2, unexcused 2 (50 %);
                  Bộ B: 1, fully 1 (100 %).  Morning 3/5 (60 %).
    Quarter IV:   expected 5, fully 1, partly 2, excused 1, unexcused 1 (20 %); essays 5,
                  submitted 2 (1 on time, 1 late), missing 3, pass 1, fail 1.  Bộ A: 4, fully
                  1, partly 2, excused 1 (25 %); Bộ B: 1, unexcused 1 (0 %).  Morning 3/5
                  (60 %), afternoon 2/5 (40 %).
    One action item of Chi bộ A1a overdue since 30/11.
    """
    board, december = december_scene
    members = {
        m.user.full_name: m.user
        for cell in (org_tree.cell_a1a, org_tree.cell_a1b, org_tree.cell_b)
        for m in cell.memberships.select_related("user")
    }
    september = study_services.publish_session(
        board,
        session=study_services.create_session(
            board,
            spec=SessionSpec(
                title="Học tập Nghị quyết quý III",
                organizer=org_tree.bloc,
                audience=[org_tree.bloc],
                starts_at=sept(10, 7, 30),
                ends_at=sept(10, 11, 30),
                venue="Hội trường",
                segments=[SegmentSpec("Buổi sáng", sept(10, 7, 30), sept(10, 11, 30))],
                essay_required=True,
                essay_deadline=sept(20, 17),
            ),
        ),
        announce=False,
    )
    (morning,) = september.segments.all()
    for name in ("Một Muộn Về Sớm", "Hai Đầy Đủ", "Bốn Vắng"):
        scan(members[name], morning, sept(10, 7, 40))
    grader = holder_of(Role.SECRETARY, org_tree.cell_a1a)
    essay_services.grade_essay(
        grader,
        essay=essay(members["Một Muộn Về Sớm"], september, INDEPENDENT[3], sept(15, 9)),
        level="pass",
    )
    essay_services.grade_essay(
        grader,
        essay=essay(members["Hai Đầy Đủ"], september, INDEPENDENT[0], sept(15, 10)),
        level="basic_pass",
    )
    document = study_services.register_document(
        None, number="328-KL/ĐUK", issued_on=date(2019, 8, 27), title="Kết luận 328"
    )
    programme = study_services.create_programme(
        grader, organization=org_tree.cell_a1a, document=document, title="Chương trình hành động"
    )
    study_services.add_action_item(
        grader,
        programme=programme,
        content="Tổ chức tọa đàm về Kết luận 328",
        objective="Mọi đảng viên nắm được nội dung",
        solution="Tọa đàm tại chi bộ",
        deadline=date(2026, 11, 30),
        responsible="Bí thư chi bộ",
    )
    return board, september, december


def heading() -> report.Heading:
    return report.Heading.build(
        number="", place="Hà Nội", dated=date(2026, 12, 22), superior="", issuer=""
    )


def figures(items):
    return {f.key: (f.current, f.previous, f.change) for f in items}


def test_every_figure_and_its_change_since_the_previous_quarter(org_tree, scene):
    board, september, december = scene

    result = report.report(board, org_tree.bloc, Q4, heading=heading(), now=AFTER)

    assert result.previous_period == periods.quarter(2026, 3)
    assert [s.pk for s in result.board.sessions] == [december.pk]
    assert [s.pk for s in result.before.sessions] == [september.pk]
    assert figures([result.sessions]) == {"sessions": (1, 1, 0)}
    assert figures(result.attendance) == {
        "expected": (5, 5, 0),
        "fully": (1, 3, -2),
        "partly": (2, 0, 2),
        "excused": (1, 0, 1),
        "unexcused": (1, 2, -1),
        "fully_rate": (20, 60, -40),
    }
    assert figures(result.essays) == {
        "essays_expected": (5, 5, 0),
        "submitted": (2, 2, 0),
        "on_time": (1, 2, -1),
        "late": (1, 0, 1),
        "missing": (3, 3, 0),
        "pass": (1, 1, 0),
        "basic_pass": (0, 1, -1),
        "fail": (1, 0, 1),
    }
    assert [(r.name, r.parent) for r in result.rows] == [
        ("Đảng bộ Bộ A", "Đảng bộ Khối"),
        ("Đảng bộ Bộ B", "Đảng bộ Khối"),
    ]
    # fmt: off
    assert [[(f.current, f.change) for f in r.figures] for r in result.rows] == [
        # expected, fully, partly, excused, unexcused, %,
        # essays asked, submitted, missing, pass, basic pass, fail
        [(4, 0), (1, -1), (2, 2), (1, 1), (0, -2), (25, -25),
         (4, 0), (2, 0), (2, 0), (1, 0), (0, -1), (1, 1)],
        [(1, 0), (0, -1), (0, 0), (0, 0), (1, 1), (0, -100),
         (1, 0), (0, 0), (1, 0), (0, 0), (0, 0), (0, 0)],
    ]
    # fmt: on
    assert [(s.label, s.share, s.previous, s.change) for s in result.dropoff] == [
        ("Buổi sáng", 60, 60, 0),
        ("Buổi chiều", 40, None, None),
    ]
    assert result.overdue_count == 1
    assert [i.content for i in result.board.overdue_items] == ["Tổ chức tọa đàm về Kết luận 328"]


def test_a_year_is_compared_with_the_year_before(org_tree, scene):
    board, _september, _december = scene

    result = report.report(board, org_tree.bloc, periods.year(2026), heading=heading(), now=AFTER)

    assert result.previous_period == periods.year(2025)
    assert figures([result.sessions]) == {"sessions": (2, 0, 2)}
    assert figures(result.attendance)["fully"] == (4, 0, 4)
    assert figures(result.attendance)["fully_rate"] == (40, None, None)  # nothing to compare


def test_the_previous_period_of_a_first_quarter_is_the_last_of_the_year_before():
    assert report.previous(periods.quarter(2027, 1)) == periods.quarter(2026, 4)
    assert report.previous(periods.quarter(2026, 3)) == periods.quarter(2026, 2)
    with pytest.raises(ValueError, match="quarter or a year"):
        report.previous(periods.month(2026, 12))


def test_changes_are_printed_with_their_sign_and_shares_in_points(org_tree, scene):
    board, _september, _december = scene

    with translation.override("en"):
        result = report.report(board, org_tree.bloc, Q4, heading=heading(), now=AFTER)
        shown = {f.key: (f.shown, f.shown_previous, f.shown_change) for f in result.attendance}

    assert shown["fully"] == ("1", "3", "-2")
    assert shown["partly"] == ("2", "0", "+2")
    assert shown["expected"] == ("5", "5", "0")
    assert shown["fully_rate"] == ("20%", "60%", "-40 pp")


def test_the_heading_follows_the_administrative_layout(org_tree):
    with translation.override("en"):
        bloc = report.heading_defaults(org_tree.bloc)
        cell = report.heading_defaults(org_tree.cell_a1a)
        typed = report.Heading.build(
            number=" 15-BC/BTGĐUK ",
            place="Hà Nội",
            dated=date(2027, 1, 5),
            superior="Đảng ủy Khối",
            issuer="Ban Tuyên giáo",
        )
        blank = report.Heading.build(number="", place="", dated=None, superior="", issuer="")
        november = report.Heading.build(
            number="", place="Hà Nội", dated=date(2026, 11, 26), superior="", issuer=""
        )
        lines = (typed.number_line, typed.place_and_date, typed.signs_for)
        blank_lines = (blank.number_line, blank.place_and_date, blank.signs_for)
        subjects = (report.subject(Q4), report.subject(periods.year(2026)))

    # The committee of "Đảng bộ X" is "Đảng ủy X"; its report is its propaganda board's.
    assert (bloc["superior"], bloc["issuer"], bloc["place"]) == (
        "ĐẢNG ỦY KHỐI",
        "PROPAGANDA BOARD",
        "Hà Nội",
    )
    assert (cell["superior"], cell["issuer"]) == ("ĐẢNG BỘ VỤ A1", "CHI BỘ A1A")
    assert (typed.superior, typed.issuer, typed.number) == (
        "ĐẢNG ỦY KHỐI",
        "BAN TUYÊN GIÁO",
        "15-BC/BTGĐUK",
    )
    # Days before the 10th and the months 1 and 2 take a leading zero (Decree 30/2020).
    assert lines == (
        "No. 15-BC/BTGĐUK",
        "Hà Nội, day 05 month 01 year 2027",
        "ON BEHALF OF BAN TUYÊN GIÁO",
    )
    assert november.place_and_date == "Hà Nội, day 26 month 11 year 2026"
    assert blank_lines == (
        "No. ……-BC/……",
        "……, day …… month …… year ……",
        "ON BEHALF OF ……",
    )
    assert subjects == (
        "Results of studying and implementing resolutions in quarter IV of 2026",
        "Results of studying and implementing resolutions in the year 2026",
    )


def test_the_place_is_a_setting(org_tree, settings):
    settings.HOCTAP_REPORT_PLACE = "Đà Nẵng"

    assert report.heading_defaults(org_tree.bloc)["place"] == "Đà Nẵng"


def _get(client, user, name, org, query):
    """In English, so that the test reads the msgids whatever the translation says."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with time_machine.travel(AFTER, tick=False):
        client.force_login(user)
        return client.get(reverse(f"oversight:{name}", args=[org.pk]), query)


def test_the_page_prints_the_document_heading_and_every_section(client, org_tree, scene):
    board, _september, _december = scene

    page = _get(
        client,
        board,
        "report",
        org_tree.bloc,
        {"kind": "quarter", "year": 2026, "quarter": 4, "number": "15-BC/BTGĐUK"},
    )

    text = page.content.decode()
    assert page.status_code == 200
    assert "ĐẢNG ỦY KHỐI" in text and "PROPAGANDA BOARD" in text
    assert "No. 15-BC/BTGĐUK" in text
    assert "COMMUNIST PARTY OF VIETNAM" in text
    assert "Hà Nội, day 22 month 12 year 2026" in text  # no date given: today
    assert "Results of studying and implementing resolutions in quarter IV of 2026" in text
    assert "ON BEHALF OF PROPAGANDA BOARD" in text
    assert "css/print-report.css" in text and "<style" not in text and " style=" not in text
    assert "<svg" in text and "-40 pp" in text
    assert "Tổ chức tọa đàm về Kết luận 328" in text
    assert page.context["report"].rows[0].name == "Đảng bộ Bộ A"


def test_fields_sent_empty_are_printed_as_dots(client, org_tree, scene):
    board, _september, _december = scene

    page = _get(
        client,
        board,
        "report",
        org_tree.bloc,
        {"kind": "quarter", "year": 2026, "quarter": 4, "number": "", "place": "", "dated": ""},
    )

    text = page.content.decode()
    assert "No. ……-BC/……" in text
    assert "……, day …… month …… year ……" in text


def test_a_bad_date_is_a_form_error_and_the_defaults_stay(client, org_tree, scene):
    board, _september, _december = scene

    page = _get(
        client, board, "report", org_tree.bloc, {"kind": "year", "year": 2026, "dated": "99/99"}
    )

    assert page.status_code == 200
    assert page.context["form"].errors["dated"]
    assert "Hà Nội, day 22 month 12 year 2026" in page.content.decode()


def _sheet_rows(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _after(rows: list[list], first: str) -> list[list]:
    """The rows under the header row whose first cell is `first`, down to the next blank row."""
    start = next(i for i, row in enumerate(rows) if row and row[0] == first) + 1
    found = []
    for row in rows[start:]:
        if not row or row[0] is None:
            break
        found.append(row)
    return found


def _dash(value):
    return "—" if value is None else value


def test_the_xlsx_holds_the_page_numbers(client, org_tree, scene):
    board, _september, _december = scene
    query = {"kind": "quarter", "year": 2026, "quarter": 4, "number": "15-BC/BTGĐUK"}
    page = _get(client, board, "report", org_tree.bloc, query)
    download = _get(client, board, "report-xlsx", org_tree.bloc, query)

    shown = page.context["report"]
    rows = _sheet_rows(download.content)

    assert download["Content-Disposition"] == (
        'attachment; filename="bao-cao-hoc-tap-2026-quy-4-DUK.xlsx"'
    )
    with translation.override("en"):  # the page's texts, in the language of both requests
        texts = {
            shown.heading.superior,
            shown.heading.issuer,
            shown.heading.number_line,
            shown.heading.place_and_date,
            shown.heading.signs_for,
            "COMMUNIST PARTY OF VIETNAM",
            "REPORT",
            shown.title,
            shown.intro,
            f"V. {shown.overdue_heading}",
        }
        overdue_heading = shown.overdue_heading
        comparisons = [
            [[f.label, f.current, f.previous, f.change] for f in figures_of]
            for figures_of in ([shown.sessions], shown.attendance, shown.essays)
        ]
    assert texts <= {c for row in rows for c in row if c is not None}
    starts = [i for i, row in enumerate(rows) if row and row[0] == "Figure"]
    assert [[r[:4] for r in _after(rows[start:], "Figure")] for start in starts] == comparisons
    assert [r[:6] for r in _after(rows, "Segment")] == [
        [b.label, b.attended, b.expected, b.share, _dash(b.previous), _dash(b.change)]
        for b in shown.dropoff
    ]
    assert [r[: 2 + 2 * len(shown.columns)] for r in _after(rows, "Organisation")] == [
        [row.name, row.parent, *(v for f in row.figures for v in (f.current, f.change))]
        for row in shown.rows
    ]
    overdue = next(i for i, row in enumerate(rows) if row and row[0] == f"V. {overdue_heading}")
    assert [r[:2] for r in _after(rows[overdue:], "No.")] == [
        [1, "Tổ chức tọa đàm về Kết luận 328"]
    ]


def test_an_empty_period_says_so_and_keeps_the_document(client, org_tree, scene):
    board, _september, _december = scene

    page = _get(
        client, board, "report", org_tree.bloc, {"kind": "quarter", "year": 2026, "quarter": 1}
    )
    download = _get(
        client, board, "report-xlsx", org_tree.bloc, {"kind": "quarter", "year": 2026, "quarter": 1}
    )

    shown = page.context["report"]
    text = page.content.decode()
    cells = {c for row in _sheet_rows(download.content) for c in row if c is not None}
    assert shown.empty and shown.before.empty
    assert shown.sections == {"sessions": "I", "overdue": "II"}
    expected = (
        "No study session was held for Đảng bộ Khối in Quarter I/2026: there is nothing to "
        "count for this period."
    )
    assert expected in text and expected in cells
    assert "BY ORGANISATION" not in text and "IV. BY ORGANISATION" not in cells
    assert "II. ACTION ITEMS OVERDUE ON 22/12/2026: 1" in text
    assert "ON BEHALF OF PROPAGANDA BOARD" in text


def test_a_cell_report_lists_its_members(client, org_tree, scene):
    board, _september, _december = scene

    page = _get(
        client, board, "report", org_tree.cell_a1a, {"kind": "quarter", "year": 2026, "quarter": 4}
    )

    shown = page.context["report"]
    assert shown.rows_are_members
    assert (shown.heading.superior, shown.heading.issuer) == ("ĐẢNG BỘ VỤ A1", "CHI BỘ A1A")
    assert [(r.name, [(f.current, f.change) for f in r.figures][:3]) for r in shown.rows] == [
        ("Hai Đầy Đủ", [(1, 0), (1, 0), (0, 0)]),
        ("Một Muộn Về Sớm", [(1, 0), (0, -1), (1, 1)]),
    ]


def test_the_report_is_out_of_reach_elsewhere(client, org_tree, scene, secretary_of, member_of):
    client.force_login(secretary_of(org_tree.cell_b))
    refused = [
        client.get(reverse(f"oversight:{name}", args=[org.pk])).status_code
        for name in ("report", "report-xlsx")
        for org in (org_tree.bloc, org_tree.cell_a1a)
    ]
    own = client.get(reverse("oversight:report", args=[org_tree.cell_b.pk]))
    missing = client.get(reverse("oversight:report", args=[999999]))
    client.force_login(member_of(org_tree.cell_b))
    plain = client.get(reverse("oversight:report", args=[org_tree.cell_b.pk]))

    assert refused == [404, 404, 404, 404]
    assert (own.status_code, missing.status_code, plain.status_code) == (200, 404, 404)
    assert own.context["report"].organization == org_tree.cell_b


@pytest.mark.parametrize("cells", [1, 4])
@pytest.mark.parametrize("name", ["report", "report-xlsx"])
def test_the_report_queries_do_not_grow_with_children(
    client, org_tree, member_of, holder_of, cells, name, django_assert_max_num_queries
):
    from tests.factories import OrganizationFactory

    board = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc)
    for index in range(cells):
        member_of(OrganizationFactory(parent=org_tree.upper_b, name=f"Chi bộ thêm {index}"))
    for starts in (sept(10, 7, 30), at(10, 7, 30)):
        session = study_services.create_session(
            board,
            spec=SessionSpec(
                title="Học tập",
                organizer=org_tree.bloc,
                audience=[org_tree.bloc],
                starts_at=starts,
                ends_at=starts.replace(hour=11),
                venue="Hội trường",
                segments=[SegmentSpec("Buổi sáng", starts, starts.replace(hour=11))],
                essay_required=True,
                essay_deadline=starts.replace(day=20),
            ),
        )
        study_services.publish_session(board, session=session, announce=False)
    client.force_login(board)

    url = reverse(f"oversight:{name}", args=[org_tree.upper_b.pk])
    query = {"kind": "quarter", "year": 2026, "quarter": 4}
    # The first read after the September session is over counts it once and keeps its figures
    # (oversight.summaries): its outcomes settled, its essays counted, its figures written;
    # twenty-two statements for that session, whatever the number of children.
    with django_assert_max_num_queries(49):
        client.get(url, query)
    # Then: session, user, grants (2); the organisation; for each quarter the dashboard's
    # reads (sessions, children, overdue items listed and counted by child, manual marks) and
    # its figures: of the session to come, its segments, participants and the four other kinds
    # of facts of attendance.outcomes and its essays counted; of the session over, the state of
    # its kept figures, the figures and the segments summed, the segments named; the overdue
    # items counted; the menu's notices. Measured 49 then 28, for the page and the file, for 1
    # and 4 children; one fewer each when the session is read from Redis.
    with django_assert_max_num_queries(28):
        page = client.get(url, query)

    assert page.status_code == 200
