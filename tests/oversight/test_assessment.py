"""Issue 12.3: the annual study assessment of each member, against a small hand-computed scene."""

import io
from html.parser import HTMLParser

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from attendance import services as attendance_services
from attendance import tokens
from attendance.outcomes import SessionOutcome
from essays import services as essay_services
from members.models import AuditEntry, Role
from oversight import assessment, services
from oversight.assessment import DEFAULT_THRESHOLDS, Rule, Thresholds, YearFigures
from oversight.errors import AssessmentError
from oversight.figures import EssayState
from oversight.models import AssessmentOverride, AssessmentRule, StudyLevel
from study import services as study_services
from study.services import SegmentSpec, SessionSpec
from tests.essays.corpus import INDEPENDENT, PLAN
from tests.times import at

pytestmark = pytest.mark.django_db

YEAR = 2026
AFTER = at(22, 9)  # the December sessions are over and their essays were due on the 20th
GOOD, PASS, FAIL = StudyLevel.GOOD, StudyLevel.PASS, StudyLevel.FAIL


def scan(member, segment, moment, direction="in"):
    token = tokens.make_token(segment.pk, None, direction, tokens.window_at(moment))
    attendance_services.check_in_with_token(member, token=token, scanned_at=moment, now=moment)


def essay(member, session, sections, when):
    written = essay_services.essay_for(member, session=session, now=when)
    written = essay_services.save_draft(
        member, essay=written, revision=written.revision, sections=sections, plan=PLAN, now=when
    )
    return essay_services.submit_essay(member, essay=written, now=when)


# --- The thresholds, at their boundaries (no database) -----------------------------------------


def year_of(fully=0, partly=0, excused=0, unexcused=0, essays=(), not_yet=0) -> YearFigures:
    """A member's year: session outcomes, and essays as level codes ("missing", "ungraded")."""
    figures = YearFigures()
    outcomes = (
        [SessionOutcome.ATTENDED_FULLY] * fully
        + [SessionOutcome.PARTLY] * partly
        + [SessionOutcome.ABSENT_EXCUSED] * excused
        + [SessionOutcome.ABSENT_UNEXCUSED] * unexcused
        + [SessionOutcome.NOT_YET] * not_yet
    )
    essays = list(essays)
    for index, outcome in enumerate(outcomes):
        state = None
        if index < len(essays):
            level = essays[index]
            state = EssayState(
                level != "missing", False, None if level in ("missing", "ungraded") else level
            )
        figures.add(outcome, state)
    return figures


def rule(good=DEFAULT_THRESHOLDS[GOOD], passing=DEFAULT_THRESHOLDS[PASS]) -> Rule:
    return Rule(YEAR, {GOOD: good, PASS: passing}, assessment.default_names())


def test_the_level_alone_is_the_level_the_words_give():
    """level_of (what a bloc's assessment computes for every member) and judge (what the page
    says) read the same conditions."""
    for fully in range(4):
        for partly in range(3):
            for unexcused in range(4):
                for essays in ((), ("pass",), ("missing",), ("fail", "fail"), ("missing", "fail")):
                    year = year_of(fully=fully, partly=partly, unexcused=unexcused, essays=essays)
                    assert rule().level_of(year) == rule().judge(year)[0]


@pytest.mark.parametrize(
    ("year", "level"),
    [
        # Good: attended fully >= 80%, nothing unexcused, missing or failed.
        (year_of(fully=4, partly=1, essays=["pass"] * 5), GOOD),  # exactly 80%
        (year_of(fully=79, partly=21), PASS),  # 79%
        (year_of(fully=3, partly=1, excused=5), PASS),  # 75%: excused sessions do not count
        (year_of(fully=4, excused=1, essays=["basic_pass"] * 5), GOOD),  # 4/4, excuse not counted
        (year_of(fully=9, unexcused=1), PASS),  # one absence without excuse: not Good
        (year_of(fully=5, essays=["pass", "pass", "pass", "pass", "missing"]), PASS),
        (year_of(fully=5, essays=["pass", "pass", "pass", "pass", "fail"]), PASS),
        (year_of(fully=5, essays=["ungraded"]), GOOD),  # submitted, waiting for its grade
        # Pass: >= 50%, at most 2 unexcused, 1 missing, 1 failed.
        (year_of(fully=1, partly=1), PASS),  # exactly 50%
        (year_of(fully=49, partly=51), FAIL),  # 49%
        (year_of(fully=1, partly=0, unexcused=1), PASS),  # 50%, one unexcused
        (year_of(fully=4, unexcused=2), PASS),  # 2 unexcused: the most Pass allows
        (year_of(fully=6, unexcused=3), FAIL),  # 3 unexcused
        (year_of(fully=3, essays=["missing", "fail"]), PASS),  # one of each: allowed
        (year_of(fully=3, essays=["missing", "missing"]), FAIL),
        (year_of(fully=3, essays=["fail", "fail"]), FAIL),
        # Nothing to count: no level.
        (year_of(), None),
        (year_of(excused=3), None),
        (year_of(not_yet=2), None),
    ],
)
def test_the_default_thresholds_at_their_boundaries(year, level):
    assert rule().judge(year)[0] == level


def test_a_percentage_is_rounded_down_so_a_shown_figure_never_meets_more():
    two_thirds = year_of(fully=2, partly=1)

    at_66 = rule(passing=Thresholds(66, 2, 1, 1)).judge(two_thirds)
    at_67 = rule(passing=Thresholds(67, 2, 1, 1)).judge(two_thirds)

    assert two_thirds.full_pct == 66
    assert (at_66[0], at_67[0]) == (PASS, FAIL)
    assert at_67[1] == "không đạt Đạt: tham dự đầy đủ 66% < 67%"


def test_the_reason_names_each_condition_missed_with_its_numbers():
    year = year_of(fully=3, partly=1, unexcused=1, essays=["fail", "pass", "pass"])

    with translation.override("vi"):
        level, why = rule().judge(year)

    assert level == PASS
    assert why == (
        "không đạt Tốt: tham dự đầy đủ 60% < 80%, vắng không lý do 1 > 0, "
        "bài thu hoạch chưa đạt 1 > 0"
    )


# --- The scene ----------------------------------------------------------------------------------


@pytest.fixture
def scene(org_tree, member_of, holder_of):
    """Two sessions of December 2026 that expect cell A1a:

    10/12, bloc-wide (morning, afternoon with check-out), essay due 20/12;
    15/12, cell A1a's own (morning), no essay.

    m1 Một   late 10/12 morning, left early in the afternoon; full 15/12; essay fail
             -> 2 expected, 1 fully, 1 partly: 50%; fail 1                       -> Pass
    m2 Hai   full both; essay pass                                               -> Good
    m6 Sáu   absent both without excuse; no essay: 2 unexcused, 1 missing (both
             the most Pass allows), but 0% attended fully < 50%                 -> Fail
    m7 Bảy   joined after both were published: expected nowhere                 -> no level
    m3 Ba    (A1b) excused for 10/12; a draft, never submitted                  -> no level
    """
    board = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc, full_name="Ban Tuyên Giáo")
    m1 = member_of(org_tree.cell_a1a, full_name="Một Muộn Về Sớm")
    m2 = member_of(org_tree.cell_a1a, full_name="Hai Đầy Đủ")
    m6 = member_of(org_tree.cell_a1a, full_name="Sáu Vắng Hết")
    m3 = member_of(org_tree.cell_a1b, full_name="Ba Có Phép")
    member_of(org_tree.cell_b, full_name="Bốn Vắng")
    secretary = holder_of(Role.SECRETARY, org_tree.cell_a1a, full_name="Bí Thư A1a")
    secretary_b = holder_of(Role.SECRETARY, org_tree.cell_a1b, full_name="Bí Thư A1b")
    bloc_session = study_services.publish_session(
        board,
        session=study_services.create_session(
            board,
            spec=SessionSpec(
                title="Học tập Kết luận 328",
                organizer=org_tree.bloc,
                audience=[org_tree.bloc],
                starts_at=at(10, 7, 30),
                ends_at=at(10, 16, 30),
                venue="Hội trường",
                segments=[
                    SegmentSpec("Buổi sáng", at(10, 7, 30), at(10, 11, 30)),
                    SegmentSpec("Buổi chiều", at(10, 13, 30), at(10, 16, 30), has_checkout=True),
                ],
                essay_required=True,
                essay_deadline=at(20, 17),
            ),
        ),
        announce=False,
    )
    cell_session = study_services.publish_session(
        secretary,
        session=study_services.create_session(
            secretary,
            spec=SessionSpec(
                title="Sinh hoạt chuyên đề",
                organizer=org_tree.cell_a1a,
                audience=[org_tree.cell_a1a],
                starts_at=at(15, 8),
                ends_at=at(15, 11),
                venue="Phòng họp",
                segments=[SegmentSpec("Buổi sáng", at(15, 8), at(15, 11))],
            ),
        ),
        announce=False,
    )
    m7 = member_of(org_tree.cell_a1a, full_name="Bảy Mới Vào")
    morning, afternoon = bloc_session.segments.order_by("starts_at")
    scan(m1, morning, at(10, 7, 58))
    scan(m1, afternoon, at(10, 13, 35))
    scan(m1, afternoon, at(10, 15, 0), direction="out")
    scan(m2, morning, at(10, 7, 40))
    scan(m2, afternoon, at(10, 13, 35))
    scan(m2, afternoon, at(10, 16, 25), direction="out")
    [own] = cell_session.segments.all()
    scan(m1, own, at(15, 8))
    scan(m2, own, at(15, 7, 55))
    excuse = attendance_services.ask_excuse(m3, session=bloc_session, reason="Đi công tác")
    attendance_services.decide_excuse(secretary_b, excuse=excuse, accept=True)
    essay_services.grade_essay(
        secretary, essay=essay(m2, bloc_session, INDEPENDENT[0], at(15, 9)), level="pass"
    )
    essay_services.grade_essay(
        secretary, essay=essay(m1, bloc_session, INDEPENDENT[1], at(19, 9)), level="fail"
    )
    return {
        "board": board,
        "secretary": secretary,
        "secretary_b": secretary_b,
        "m1": m1,
        "m2": m2,
        "m3": m3,
        "m6": m6,
        "m7": m7,
    }


def numbers(row):
    f = row.figures
    return (
        row.member.full_name,
        f.expected,
        f.fully,
        f.partly,
        f.excused,
        f.unexcused,
        f.counted,
        f.full_pct,
        f.essays_expected,
        f.passed,
        f.failed,
        f.missing,
        row.computed,
    )


def test_every_members_year_in_the_cell(org_tree, scene):
    result = assessment.assess(org_tree.cell_a1a, YEAR, now=AFTER)

    assert [numbers(r) for r in result.rows] == [
        ("Bảy Mới Vào", 0, 0, 0, 0, 0, 0, None, 0, 0, 0, 0, None),
        ("Hai Đầy Đủ", 2, 2, 0, 0, 0, 2, 100, 1, 1, 0, 0, GOOD),
        ("Một Muộn Về Sớm", 2, 1, 1, 0, 0, 2, 50, 1, 0, 1, 0, PASS),
        ("Sáu Vắng Hết", 2, 0, 0, 0, 2, 2, 0, 1, 0, 0, 1, FAIL),
    ]
    assert [r.why for r in result.rows] == [
        "không có buổi nào để tính (chưa buổi nào kết thúc, hoặc đều vắng có lý do)",
        "đạt mọi ngưỡng của mức Tốt",
        "không đạt Tốt: tham dự đầy đủ 50% < 80%, bài thu hoạch chưa đạt 1 > 0",
        "không đạt Đạt: tham dự đầy đủ 0% < 50%",
    ]
    assert result.counts() == [(GOOD, "Tốt", 1), (PASS, "Đạt", 1), (FAIL, "Chưa đạt", 1)]
    assert result.not_assessed == 1


def test_the_same_figures_as_the_dashboard(org_tree, scene):
    from oversight import periods, queries

    board = queries.dashboard(scene["board"], org_tree.cell_a1a, periods.year(YEAR), now=AFTER)
    result = assessment.assess(org_tree.cell_a1a, YEAR, now=AFTER)

    by_name = {r.name: r.figures for r in board.rows}
    for row in result.rows:
        if row.figures.expected:
            dashboard = by_name[row.member.full_name]
            assert (row.figures.outcomes, row.figures.levels, row.figures.missing) == (
                dashboard.outcomes,
                dashboard.levels,
                dashboard.missing,
            )


def test_an_excused_member_has_nothing_to_count(org_tree, scene):
    [row] = assessment.assess(org_tree.cell_a1b, YEAR, now=AFTER).rows

    assert numbers(row) == ("Ba Có Phép", 1, 0, 0, 1, 0, 0, None, 1, 0, 0, 1, None)


# --- Rules: the bloc sets them, lower organisations only tighten ---------------------------------


def _set(actor, org, good, passing, names=None):
    return services.set_rule(
        actor,
        organization=org,
        year=YEAR,
        good=Thresholds(*good),
        passing=Thresholds(*passing),
        names=names,
    )


def test_the_bloc_sets_the_rule_and_names_the_levels(org_tree, scene):
    _set(
        scene["board"],
        org_tree.bloc,
        (100, 0, 0, 0),
        (50, 2, 1, 0),
        {GOOD: "Hoàn thành xuất sắc", PASS: "Hoàn thành", FAIL: "Không hoàn thành"},
    )

    result = assessment.assess(org_tree.cell_a1a, YEAR, now=AFTER)

    assert [(r.member.full_name, r.level_name) for r in result.rows] == [
        ("Bảy Mới Vào", ""),
        ("Hai Đầy Đủ", "Hoàn thành xuất sắc"),
        ("Một Muộn Về Sớm", "Không hoàn thành"),  # one essay graded fail: 0 allowed now
        ("Sáu Vắng Hết", "Không hoàn thành"),
    ]
    assert result.rule.source == "Quy định do Đảng bộ Khối đặt cho năm 2026."
    assert AuditEntry.objects.filter(action="oversight.set_assessment_rule").count() == 1


def test_a_stricter_rule_below_is_accepted_and_applies_to_its_subtree_only(org_tree, scene):
    _set(scene["board"], org_tree.bloc, (80, 0, 0, 0), (50, 2, 1, 1))

    _set(scene["secretary"], org_tree.cell_a1a, (90, 0, 0, 0), (50, 2, 1, 0))

    a1a = assessment.assess(org_tree.cell_a1a, YEAR, now=AFTER)
    a1b = assessment.rule_for(org_tree.cell_a1b, YEAR)
    assert a1a.rule.thresholds[PASS] == Thresholds(50, 2, 1, 0)
    assert a1b.thresholds[PASS] == Thresholds(50, 2, 1, 1)
    assert [r.computed for r in a1a.rows] == [None, GOOD, FAIL, FAIL]
    assert a1a.rule.source == (
        "Quy định do Đảng bộ Khối đặt cho năm 2026, được Chi bộ A1a siết chặt hơn."
    )


@pytest.mark.parametrize(
    ("good", "passing", "threshold"),
    [
        (
            (79, 0, 0, 0),
            (50, 2, 1, 1),
            "mức Tốt, ngưỡng “tham dự đầy đủ, ít nhất (%)” ở đó là 80, đặt 79",
        ),
        (
            (80, 0, 0, 0),
            (50, 3, 1, 1),
            "mức Đạt, ngưỡng “vắng không lý do, không quá” ở đó là 2, đặt 3",
        ),
        (
            (80, 1, 0, 0),
            (50, 2, 1, 1),
            "mức Tốt, ngưỡng “vắng không lý do, không quá” ở đó là 0, đặt 1",
        ),
        (
            (80, 0, 0, 0),
            (50, 2, 2, 1),
            "mức Đạt, ngưỡng “bài thu hoạch chưa nộp, không quá” ở đó là 1, đặt 2",
        ),
        (
            (80, 0, 0, 0),
            (50, 2, 1, 2),
            "mức Đạt, ngưỡng “bài thu hoạch chưa đạt, không quá” ở đó là 1, đặt 2",
        ),
    ],
)
def test_a_looser_rule_below_is_refused(org_tree, scene, good, passing, threshold):
    _set(scene["board"], org_tree.bloc, (80, 0, 0, 0), (50, 2, 1, 1))

    with pytest.raises(AssessmentError) as refused:
        _set(scene["secretary"], org_tree.cell_a1a, good, passing)

    assert refused.value.code == "looser_than_above"
    assert threshold in refused.value.message
    assert not AssessmentRule.objects.filter(organization=org_tree.cell_a1a).exists()


def test_a_rule_below_is_checked_against_the_default_and_every_rule_between(org_tree, scene):
    _set(scene["secretary"], org_tree.cell_a1a, (85, 0, 0, 0), (60, 1, 1, 1))  # default: 80, 50
    committee = scene["board"]  # the bloc's board leads the committee's study work too
    _set(committee, org_tree.committee_a1, (80, 0, 0, 0), (70, 1, 0, 0))

    in_force = assessment.rule_for(org_tree.cell_a1a, YEAR)

    # The committee's later rule tightens what the cell set before it: the strictest of both.
    assert in_force.thresholds == {GOOD: Thresholds(85, 0, 0, 0), PASS: Thresholds(70, 1, 0, 0)}
    with pytest.raises(AssessmentError) as refused:
        _set(scene["secretary"], org_tree.cell_a1a, (85, 0, 0, 0), (60, 1, 1, 1))
    assert refused.value.code == "looser_than_above"


def test_contradictory_thresholds_are_refused_in_vietnamese(org_tree, scene):
    with translation.override("vi"), pytest.raises(AssessmentError) as refused:
        _set(scene["board"], org_tree.bloc, (50, 0, 0, 0), (60, 2, 1, 1))

    assert refused.value.code == "contradictory"
    assert refused.value.message == (
        "Các ngưỡng mâu thuẫn nhau: để được xếp Tốt, đảng viên phải đạt ít nhất những gì mức "
        "Đạt yêu cầu (ngưỡng “tham dự đầy đủ, ít nhất (%)”: Tốt 50, Đạt 60)."
    )
    assert not AssessmentRule.objects.exists()


def test_the_bloc_may_loosen_its_own_rule_but_not_what_a_cell_set(org_tree, scene):
    _set(scene["secretary"], org_tree.cell_a1a, (90, 0, 0, 0), (60, 1, 1, 1))

    _set(scene["board"], org_tree.bloc, (70, 1, 1, 1), (40, 3, 2, 2))

    assert assessment.rule_for(org_tree.cell_a1b, YEAR).thresholds[PASS] == Thresholds(40, 3, 2, 2)
    assert assessment.rule_for(org_tree.cell_a1a, YEAR).thresholds[PASS] == Thresholds(60, 1, 1, 1)


def test_a_rule_out_of_reach_is_refused(org_tree, scene, holder_of):
    other = holder_of(Role.SECRETARY, org_tree.cell_b)

    with pytest.raises(AssessmentError) as refused:
        _set(other, org_tree.cell_a1a, (90, 0, 0, 0), (60, 1, 1, 1))

    assert refused.value.code == "out_of_reach"


def test_the_rule_form_sets_the_rule_and_refuses_a_looser_one(client, org_tree, scene):
    _set(scene["board"], org_tree.bloc, (80, 0, 0, 0), (50, 2, 1, 1))
    url = reverse("oversight:assessment-rule", args=[org_tree.cell_a1a.pk])
    client.force_login(scene["secretary"])
    form = {
        "year": YEAR,
        "good_min_full_pct": 90,
        "good_max_unexcused": 0,
        "good_max_missing": 0,
        "good_max_failed": 0,
        "pass_min_full_pct": 40,
        "pass_max_unexcused": 2,
        "pass_max_missing": 1,
        "pass_max_failed": 1,
    }

    looser = client.post(url, form)
    stricter = client.post(url, {**form, "pass_min_full_pct": 60})

    assert looser.status_code == 200
    assert "chỉ được thắt chặt" in looser.content.decode()
    assert stricter.status_code == 302
    assert AssessmentRule.objects.get(organization=org_tree.cell_a1a).pass_min_full_pct == 60


def test_a_percentage_over_100_is_a_form_error(client, org_tree, scene):
    client.force_login(scene["board"])

    page = client.post(
        reverse("oversight:assessment-rule", args=[org_tree.bloc.pk]),
        {
            "year": YEAR,
            "good_min_full_pct": 101,
            **dict.fromkeys(["good_max_unexcused", "good_max_missing", "good_max_failed"], 0),
            "pass_min_full_pct": 50,
            **dict.fromkeys(["pass_max_unexcused", "pass_max_missing", "pass_max_failed"], 1),
        },
    )

    assert page.status_code == 200
    assert page.context["form"].errors["good_min_full_pct"]
    assert not AssessmentRule.objects.exists()


# --- Overrides: with a reason, history kept, the latest counts -----------------------------------


def _override(client, cell, member, level, reason):
    return client.post(
        reverse("oversight:assessment-override", args=[cell.pk]),
        {"year": YEAR, "member": member.pk, "level": level, "reason": reason},
    )


def test_an_override_without_a_reason_is_refused(client, org_tree, scene):
    client.force_login(scene["secretary"])

    with time_machine.travel(AFTER, tick=False):
        answer = _override(client, org_tree.cell_a1a, scene["m6"], PASS, "   ")
        page = client.get(answer["Location"])

    assert answer.status_code == 302
    assert "Hãy nêu lý do thay đổi kết quả." in page.content.decode()
    assert not AssessmentOverride.objects.exists()
    with pytest.raises(AssessmentError) as refused:
        services.override_result(
            scene["secretary"],
            member=scene["m6"],
            cell=org_tree.cell_a1a,
            year=YEAR,
            level=PASS,
            reason="",
        )
    assert refused.value.code == "reason_required"


def test_an_override_keeps_who_when_before_and_after_and_the_latest_counts(client, org_tree, scene):
    client.force_login(scene["secretary"])

    with time_machine.travel(at(28, 9), tick=False):
        _override(client, org_tree.cell_a1a, scene["m6"], PASS, "Ốm dài ngày, có giấy viện")
    with time_machine.travel(at(29, 9), tick=False):
        _override(client, org_tree.cell_a1a, scene["m6"], GOOD, "Nhầm mức")
    with time_machine.travel(at(30, 9), tick=False):
        page = client.get(
            reverse("oversight:assessment", args=[org_tree.cell_a1a.pk]), {"year": YEAR}
        )

    history = list(
        AssessmentOverride.objects.order_by("at").values_list(
            "member", "organization", "year", "before", "level", "reason", "by", "at"
        )
    )
    m6, cell, secretary = scene["m6"].pk, org_tree.cell_a1a.pk, scene["secretary"].pk
    assert history == [
        (m6, cell, YEAR, FAIL, PASS, "Ốm dài ngày, có giấy viện", secretary, at(28, 9)),
        (m6, cell, YEAR, PASS, GOOD, "Nhầm mức", secretary, at(29, 9)),
    ]
    [row] = [r for r in page.context["result"].rows if r.member == scene["m6"]]
    assert (row.computed, row.level) == (FAIL, GOOD)
    text = page.content.decode()
    assert "Ốm dài ngày, có giấy viện" in text and "Nhầm mức" in text
    audits = AuditEntry.objects.filter(action="oversight.override_assessment").order_by("at")
    assert [(a.before["level"], a.after["level"], a.organization_id) for a in audits] == [
        (FAIL, PASS, cell),
        (PASS, GOOD, cell),
    ]


def test_a_double_submitted_override_is_one_row(client, org_tree, scene):
    client.force_login(scene["secretary"])
    form = {
        "year": YEAR,
        "member": scene["m7"].pk,
        "level": PASS,
        "reason": "Chuyển đến, đã học ở chi bộ cũ",
        "once": "a" * 32,
    }
    url = reverse("oversight:assessment-override", args=[org_tree.cell_a1a.pk])

    with time_machine.travel(AFTER, tick=False):
        first, second = client.post(url, form), client.post(url, form)

    assert (first.status_code, second.status_code) == (302, 302)
    assert AssessmentOverride.objects.count() == 1
    assert AssessmentOverride.objects.get().before == ""  # no level was computed


def test_an_override_of_another_cell_or_a_member_not_on_the_list_is_404(client, org_tree, scene):
    client.force_login(scene["secretary_b"])

    other_cell = _override(client, org_tree.cell_a1a, scene["m6"], GOOD, "Lý do")
    client.force_login(scene["secretary"])
    not_listed = _override(client, org_tree.cell_a1a, scene["m3"], GOOD, "Lý do")
    client.force_login(scene["board"])  # the board reviews; the cell's leaders judge
    board = _override(client, org_tree.cell_a1a, scene["m6"], GOOD, "Lý do")

    assert (other_cell.status_code, not_listed.status_code, board.status_code) == (404, 404, 404)
    assert not AssessmentOverride.objects.exists()


# --- Pages and scope ---------------------------------------------------------------------------


class Table(HTMLParser):
    """The cells of the rows of <table id="assessment">, as text."""

    def __init__(self):
        super().__init__()
        self.rows, self._in, self._cell, self._depth = [], False, None, 0

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "assessment") in attrs:
            self._in = True
        elif self._in and tag == "tr":
            self.rows.append([])
        elif self._in and tag == "td" and self.rows:
            self._cell = []
        elif self._cell is not None and tag in ("details", "div", "ul"):
            self._depth += 1

    def handle_endtag(self, tag):
        if tag == "table":
            self._in = False
        elif self._cell is not None and tag in ("details", "div", "ul"):
            self._depth -= 1
        elif self._cell is not None and tag == "td":
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None and not self._depth:
            self._cell.append(data)


def page_rows(html: str) -> list[list[str]]:
    table = Table()
    table.feed(html)
    return [row for row in table.rows if row]


def test_the_cells_list_for_its_secretary(client, org_tree, scene):
    client.force_login(scene["secretary"])

    with time_machine.travel(AFTER, tick=False):
        page = client.get(
            reverse("oversight:assessment", args=[org_tree.cell_a1a.pk]), {"year": YEAR}
        )

    text = page.content.decode()
    assert page_rows(text) == [
        # No., name; expected, fully, partly, excused, unexcused, not over, counted, share;
        # essays asked, pass, basic pass, fail, not graded, missing; computed, result
        ["1", "Bảy Mới Vào", *"0000000", "—", *"000000", "—", "—"],
        ["2", "Hai Đầy Đủ", *"2200002", "100%", *"110000", "Tốt", "Tốt"],
        ["3", "Một Muộn Về Sớm", *"2110002", "50%", *"100100", "Đạt", "Đạt"],
        ["4", "Sáu Vắng Hết", *"2000202", "0%", *"100001", "Chưa đạt", "Chưa đạt"],
    ]
    assert "tham dự đầy đủ ít nhất 80% số buổi được tính" in text  # the rule, beside
    assert "không đạt Tốt: tham dự đầy đủ 50% &lt; 80%" in text  # the reason, beside
    assert text.count('name="reason"') == 4
    assert "Ba Có Phép" not in text and "Bốn Vắng" not in text


def test_the_board_drills_down_from_the_dashboard_and_sees_no_override_form(
    client, org_tree, scene
):
    with time_machine.travel(AFTER, tick=False):
        client.force_login(scene["board"])  # an officer: logged in now, not idle for weeks
        dashboard = client.get(
            reverse("oversight:organization", args=[org_tree.cell_a1a.pk]),
            {"kind": "year", "year": YEAR},
        )
        page = client.get(
            reverse("oversight:assessment", args=[org_tree.cell_a1a.pk]), {"year": YEAR}
        )
        above = client.get(reverse("oversight:assessment", args=[org_tree.bloc.pk]))

    link = f"{reverse('oversight:assessment', args=[org_tree.cell_a1a.pk])}?year={YEAR}"
    assert link in dashboard.content.decode()
    assert len(page_rows(page.content.decode())) == 4
    assert 'name="reason"' not in page.content.decode()
    assert reverse("oversight:assessment", args=[org_tree.upper_a.pk]) in above.content.decode()
    assert reverse("oversight:assessment-rule", args=[org_tree.bloc.pk]) in above.content.decode()


def test_another_cells_secretary_and_a_member_get_404(client, org_tree, scene, member_of):
    url = reverse("oversight:assessment", args=[org_tree.cell_a1a.pk])
    xlsx = reverse("oversight:assessment-xlsx", args=[org_tree.cell_a1a.pk])
    client.force_login(scene["secretary_b"])
    sibling = (client.get(url).status_code, client.get(xlsx).status_code)
    own = client.get(reverse("oversight:assessment", args=[org_tree.cell_a1b.pk])).status_code
    client.force_login(scene["m1"])
    member = (client.get(url).status_code, client.get(xlsx).status_code)

    assert (sibling, own, member) == ((404, 404), 200, (404, 404))


def test_a_member_sees_their_own_year_only(client, org_tree, scene):
    client.force_login(scene["m1"])

    with time_machine.travel(AFTER, tick=False):
        page = client.get(reverse("oversight:my-year"), {"year": YEAR, "user": scene["m2"].pk})
        home = client.get(reverse("home"))

    [row] = page.context["rows"]
    assert numbers(row) == numbers(
        next(
            r
            for r in assessment.assess(org_tree.cell_a1a, YEAR, now=AFTER).rows
            if r.member == scene["m1"]
        )
    )
    text = page.content.decode()
    assert "Chi bộ A1a" in text and "Đạt" in text
    assert "Hai Đầy Đủ" not in text and "Sáu Vắng Hết" not in text
    assert reverse("oversight:my-year") in home.content.decode()


def test_a_member_sees_the_secretarys_judgement_and_its_reason(client, org_tree, scene):
    services.override_result(
        scene["secretary"],
        member=scene["m6"],
        cell=org_tree.cell_a1a,
        year=YEAR,
        level=PASS,
        reason="Ốm dài ngày",
        now=AFTER,
    )
    client.force_login(scene["m6"])

    with time_machine.travel(AFTER, tick=False):
        page = client.get(reverse("oversight:my-year"), {"year": YEAR})

    text = page.content.decode()
    assert "Ốm dài ngày" in text and "Bí Thư A1a" in text
    assert [r.level for r in page.context["rows"]] == [PASS]


# --- The export: exactly the page's numbers ----------------------------------------------------


def test_the_export_holds_the_pages_numbers(client, org_tree, scene):
    from openpyxl import load_workbook

    services.override_result(
        scene["secretary"],
        member=scene["m6"],
        cell=org_tree.cell_a1a,
        year=YEAR,
        level=PASS,
        reason="Ốm dài ngày",
        now=AFTER,
    )
    with time_machine.travel(AFTER, tick=False):
        client.force_login(scene["board"])
        page = client.get(
            reverse("oversight:assessment", args=[org_tree.cell_a1a.pk]), {"year": YEAR}
        )
        download = client.get(
            reverse("oversight:assessment-xlsx", args=[org_tree.cell_a1a.pk]), {"year": YEAR}
        )

    sheet = load_workbook(io.BytesIO(download.content), read_only=True).active
    lines = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = lines.index(next(line for line in lines if line[0] == "STT"))
    members = lines[header + 1 : header + 5]
    from_file = [
        [str(v).rstrip("%") for v in (line[0], line[1], *line[3:17], line[17], line[19])]
        for line in members
    ]
    from_page = [[v.rstrip("%") for v in row] for row in page_rows(page.content.decode())]
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert from_file == from_page
    assert members[3][19] == "Đạt" and "Ốm dài ngày" in members[3][20]
    assert lines[header + 5][:4] == ["Tốt", None, None, 1]


def test_a_committees_export_names_each_members_cell(client, org_tree, scene):
    from openpyxl import load_workbook

    with time_machine.travel(AFTER, tick=False):
        client.force_login(scene["board"])
        answer = client.get(
            reverse("oversight:assessment-xlsx", args=[org_tree.committee_a1.pk]), {"year": YEAR}
        )

    lines = [
        list(line)
        for line in load_workbook(io.BytesIO(answer.content), read_only=True).active.iter_rows(
            values_only=True
        )
    ]
    header = next(i for i, line in enumerate(lines) if line[0] == "STT")
    assert lines[header][:3] == ["STT", "Họ và tên", "Chi bộ"]
    named = [(line[1], line[2]) for line in lines[header + 1 :] if isinstance(line[0], int)]
    assert sorted(named) == sorted(
        [
            ("Một Muộn Về Sớm", "Chi bộ A1a"),
            ("Hai Đầy Đủ", "Chi bộ A1a"),
            ("Sáu Vắng Hết", "Chi bộ A1a"),
            ("Bảy Mới Vào", "Chi bộ A1a"),
            ("Ba Có Phép", "Chi bộ A1b"),
        ]
    )


# --- Bounded queries -----------------------------------------------------------------------------


@pytest.mark.parametrize("members", [1, 4])
def test_the_cells_list_and_export_do_not_grow_with_members(
    client, org_tree, member_of, holder_of, members, django_assert_max_num_queries
):
    secretary = holder_of(Role.SECRETARY, org_tree.cell_a1a)
    people = [member_of(org_tree.cell_a1a, full_name=f"Đảng Viên {i}") for i in range(members)]
    session = study_services.publish_session(
        secretary,
        session=study_services.create_session(
            secretary,
            spec=SessionSpec(
                title="Học tập",
                organizer=org_tree.cell_a1a,
                audience=[org_tree.cell_a1a],
                starts_at=at(10, 7, 30),
                ends_at=at(10, 11, 30),
                venue="Hội trường",
                segments=[SegmentSpec("Buổi sáng", at(10, 7, 30), at(10, 11, 30))],
                essay_required=True,
                essay_deadline=at(20, 17),
            ),
        ),
        announce=False,
    )
    [segment] = session.segments.all()
    for index, person in enumerate(people):
        scan(person, segment, at(10, 7, 40))
        written = essay(person, session, INDEPENDENT[index % len(INDEPENDENT)], at(12, 9))
        essay_services.grade_essay(secretary, essay=written, level="pass")
        services.override_result(
            secretary,
            member=person,
            cell=org_tree.cell_a1a,
            year=YEAR,
            level=PASS,
            reason="Lý do",
            now=AFTER,
        )
    client.force_login(secretary)
    url = reverse("oversight:assessment", args=[org_tree.cell_a1a.pk])
    xlsx = reverse("oversight:assessment-xlsx", args=[org_tree.cell_a1a.pk])

    with time_machine.travel(AFTER, tick=False):
        # session, user, officer check, grants (2); the cell; rules; participations; current
        # members; judgements; essays; the five of attendance.outcomes; the menu's notices
        # (fewer with the session and the officer check read from Redis, as in CI)
        with django_assert_max_num_queries(17):
            page = client.get(url, {"year": YEAR})
        with django_assert_max_num_queries(15):
            client.get(xlsx, {"year": YEAR})
        with django_assert_max_num_queries(10):
            assessment.assess(org_tree.cell_a1a, YEAR)

    assert len(page.context["result"].rows) == members


@pytest.mark.parametrize("sessions", [1, 4])
def test_a_members_own_year_does_not_grow_with_sessions(
    client, org_tree, member_of, holder_of, sessions, django_assert_max_num_queries
):
    secretary = holder_of(Role.SECRETARY, org_tree.cell_a1a)
    member = member_of(org_tree.cell_a1a, full_name="Đảng Viên Chăm")
    for day in range(1, sessions + 1):
        session = study_services.publish_session(
            secretary,
            session=study_services.create_session(
                secretary,
                spec=SessionSpec(
                    title=f"Buổi {day}",
                    organizer=org_tree.cell_a1a,
                    audience=[org_tree.cell_a1a],
                    starts_at=at(day, 8),
                    ends_at=at(day, 11),
                    venue="Phòng họp",
                    segments=[SegmentSpec("Buổi sáng", at(day, 8), at(day, 11))],
                    essay_required=True,
                    essay_deadline=at(day + 5, 17),
                ),
            ),
            announce=False,
        )
        [segment] = session.segments.all()
        scan(member, segment, at(day, 8))
        essay(member, session, INDEPENDENT[day % len(INDEPENDENT)], at(day, 15))
    client.force_login(member)

    # session, user, officer check; current cells; participations; judgements; rules; the
    # sessions and their segments; outcomes counted; essays counted; warnings told; the menu's
    # notices and grants (2). The first read also settles the sessions over (participations
    # due, four kinds of facts of attendance.outcomes, one upsert, outcomes counted again):
    # seven more, whatever their number.
    with time_machine.travel(AFTER, tick=False):
        with django_assert_max_num_queries(22):
            page = client.get(reverse("oversight:my-year"), {"year": YEAR})
        with django_assert_max_num_queries(15):
            again = client.get(reverse("oversight:my-year"), {"year": YEAR})
    assert again.context["rows"][0].figures == page.context["rows"][0].figures

    [row] = page.context["rows"]
    assert (row.figures.expected, row.figures.fully, row.figures.ungraded) == (
        sessions,
        sessions,
        sessions,
    )
    assert row.computed == GOOD
