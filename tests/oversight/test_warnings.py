"""Issue 12.3, last sentence: early warnings. When a member's absences without excuse or essays
missing reach the year's threshold, the member and the cell's secretary are told, once per
crossing and not every night."""

import io
import threading

import pytest
import time_machine
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse
from django.utils import translation

from attendance import services as attendance_services
from attendance import tokens
from config.celery import app as celery_app
from essays import services as essay_services
from members.models import AuditEntry, Notice, Role, User
from oversight import services, tasks, warnings
from oversight.assessment import Thresholds
from oversight.errors import WarningRuleError
from oversight.models import WarningCrossing, WarningKind, WarningRule
from study import services as study_services
from study.services import SegmentSpec, SessionSpec
from tests.essays.corpus import INDEPENDENT, PLAN
from tests.times import at

pytestmark = pytest.mark.django_db

YEAR = 2026
UNEXCUSED, MISSING = WarningKind.UNEXCUSED, WarningKind.MISSING


def held(organizer, actor, day: int, *, essay: bool = False):
    """A morning session of the cell on the given day of December 2026 (essay due 5 days on)."""
    session = study_services.publish_session(
        actor,
        session=study_services.create_session(
            actor,
            spec=SessionSpec(
                title=f"Học tập ngày {day}",
                organizer=organizer,
                audience=[organizer],
                starts_at=at(day, 8),
                ends_at=at(day, 11),
                venue="Phòng họp",
                segments=[SegmentSpec("Buổi sáng", at(day, 8), at(day, 11))],
                essay_required=essay,
                essay_deadline=at(day + 5, 17) if essay else None,
            ),
        ),
        announce=False,
    )
    return session


def attend(member, session):
    [segment] = session.segments.all()
    moment = segment.starts_at
    token = tokens.make_token(segment.pk, None, "in", tokens.window_at(moment))
    attendance_services.check_in_with_token(member, token=token, scanned_at=moment, now=moment)


def hand_in(member, session, when):
    written = essay_services.essay_for(member, session=session, now=when)
    written = essay_services.save_draft(
        member,
        essay=written,
        revision=written.revision,
        sections=INDEPENDENT[member.pk % len(INDEPENDENT)],
        plan=PLAN,
        now=when,
    )
    return essay_services.submit_essay(member, essay=written, now=when)


@pytest.fixture
def cell(org_tree, holder_of, member_of):
    """Cell A1a: its secretary Bí Thư, Vắng (absent from the 1st and the 3rd), Chăm (at every
    session); sessions on the 1st, 3rd and 5th of December."""
    secretary = holder_of(
        Role.SECRETARY, org_tree.cell_a1a, cell=org_tree.cell_a1a, full_name="Bí Thư"
    )
    absent = member_of(org_tree.cell_a1a, full_name="Đảng Viên Vắng", email="vang@example.vn")
    keen = member_of(org_tree.cell_a1a, full_name="Đảng Viên Chăm")
    sessions = [held(org_tree.cell_a1a, secretary, day) for day in (1, 3, 5)]
    for session in sessions:
        attend(keen, session)
        attend(secretary, session)
    attend(absent, sessions[2])
    return org_tree.cell_a1a, secretary, absent, keen, sessions


def crossings(**filters):
    return list(
        WarningCrossing.objects.filter(**filters)
        .order_by("member__full_name", "kind")
        .values_list("member__full_name", "kind", "threshold", "count")
    )


# --- Told once, to the member and the secretary ------------------------------------------------


def test_a_crossing_is_told_once_across_two_runs(
    cell, mailoutbox, django_capture_on_commit_callbacks
):
    org, secretary, absent, _keen, _sessions = cell

    with django_capture_on_commit_callbacks(execute=True):
        first = warnings.check_warnings(organization=org, now=at(6, 9))
    with django_capture_on_commit_callbacks(execute=True):
        second = warnings.check_warnings(organization=org, now=at(7, 9))

    assert (first.crossed, first.told, second.crossed, second.told) == (1, 2, 0, 0)
    assert crossings() == [("Đảng Viên Vắng", UNEXCUSED, 2, 2)]
    [crossing] = WarningCrossing.objects.all()
    assert [(p["user"], p["as"]) for p in crossing.told] == [
        (absent.pk, "member"),
        (secretary.pk, "secretary"),
    ]
    assert Notice.objects.filter(user=absent).count() == 1
    assert Notice.objects.filter(user=secretary).count() == 1
    assert [m.to for m in mailoutbox] == [["vang@example.vn"], [secretary.email]]
    assert mailoutbox[0].subject == Notice.objects.get(user=absent).title
    assert mailoutbox[0].body.endswith(
        f"{settings.HOCTAP_BASE_URL}{reverse('oversight:my-year')}?year=2026"
    )
    assert mailoutbox[1].body.endswith(f"?year=2026#member-{absent.pk}")


def test_both_are_told_in_the_sites_language_with_a_link_to_their_page(cell, settings):
    """Read in English, so that the test reads the msgids whatever the translation says."""
    settings.LANGUAGE_CODE = "en"
    org, secretary, absent, _keen, _sessions = cell

    warnings.check_warnings(organization=org, now=at(6, 9))

    mine = Notice.objects.get(user=absent)
    theirs = Notice.objects.get(user=secretary)
    assert mine.title == "Early warning: 2 absences without excuse in 2026"
    assert mine.url == f"{reverse('oversight:my-year')}?year=2026"
    assert theirs.title == "Early warning: Đảng Viên Vắng has 2 absences without excuse"
    assert theirs.url == (
        f"{reverse('oversight:assessment', args=[org.pk])}?year=2026#member-{absent.pk}"
    )
    assert "Chi bộ A1a" in theirs.body


def test_the_command_runs_the_check_and_says_what_it_did(cell):
    out = io.StringIO()

    with time_machine.travel(at(6, 9), tick=False):
        call_command("oversight_warnings", stdout=out)
        call_command("oversight_warnings", stdout=out)

    assert out.getvalue().splitlines() == [
        "Early warnings: 1 new, 2 notice(s), 0 back under their threshold.",
        "Early warnings: 0 new, 0 notice(s), 0 back under their threshold.",
    ]


def test_the_daily_task_is_scheduled_and_runs(cell, settings):
    celery_app.loader.import_default_modules()  # as the worker finds the tasks

    assert "oversight.tasks.check_warnings" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert "oversight.tasks.check_warnings" in celery_app.tasks
    with time_machine.travel(at(6, 9), tick=False):
        assert tasks.check_warnings.delay().get() == 1


# --- Thresholds at their boundaries ------------------------------------------------------------


@pytest.mark.parametrize(("absences", "warned"), [(1, False), (2, True), (3, True)])
def test_reaching_the_threshold_warns(org_tree, holder_of, member_of, absences, warned):
    secretary = holder_of(Role.SECRETARY, org_tree.cell_a1a, cell=org_tree.cell_a1a)
    member = member_of(org_tree.cell_a1a, full_name="Đảng Viên")
    for day in range(1, absences + 1):
        held(org_tree.cell_a1a, secretary, day)

    warnings.check_warnings(organization=org_tree.cell_a1a, now=at(9, 9))

    expected = [(member.full_name, UNEXCUSED, 2, absences)] if warned else []
    assert crossings(member=member) == expected


def test_an_essay_still_due_is_not_missing_yet(org_tree, holder_of, member_of):
    secretary = holder_of(Role.SECRETARY, org_tree.cell_a1a, cell=org_tree.cell_a1a)
    writer = member_of(org_tree.cell_a1a, full_name="Người Viết")
    idle = member_of(org_tree.cell_a1a, full_name="Người Quên")
    session = held(org_tree.cell_a1a, secretary, 1, essay=True)  # due on the 6th at 17:00
    for person in (secretary, writer, idle):
        attend(person, session)
    hand_in(writer, session, at(2, 9))
    hand_in(secretary, session, at(2, 9))

    before = warnings.check_warnings(organization=org_tree.cell_a1a, now=at(6, 16))
    after = warnings.check_warnings(organization=org_tree.cell_a1a, now=at(6, 18))

    assert (before.crossed, after.crossed) == (0, 1)
    assert crossings() == [("Người Quên", MISSING, 1, 1)]


def test_back_under_closes_the_crossing_and_reaching_it_again_is_told_again(
    org_tree, holder_of, member_of
):
    secretary = holder_of(Role.SECRETARY, org_tree.cell_a1a, cell=org_tree.cell_a1a)
    member = member_of(org_tree.cell_a1a, full_name="Đảng Viên Muộn")
    first = held(org_tree.cell_a1a, secretary, 1, essay=True)  # due on the 6th
    for person in (secretary, member):
        attend(person, first)
    hand_in(secretary, first, at(2, 9))
    warnings.check_warnings(organization=org_tree.cell_a1a, now=at(7, 9))
    hand_in(member, first, at(7, 10))  # late, but handed in: no longer missing

    closed = warnings.check_warnings(organization=org_tree.cell_a1a, now=at(8, 9))
    quiet = warnings.check_warnings(organization=org_tree.cell_a1a, now=at(9, 9))
    second = held(org_tree.cell_a1a, secretary, 10, essay=True)  # due on the 15th
    for person in (secretary, member):
        attend(person, second)
    hand_in(secretary, second, at(11, 9))
    again = warnings.check_warnings(organization=org_tree.cell_a1a, now=at(16, 9))

    assert (closed.closed, quiet.crossed, quiet.closed, again.crossed) == (1, 0, 0, 1)
    assert [(c.kind, c.count, c.cleared_at) for c in WarningCrossing.objects.order_by("pk")] == [
        (MISSING, 1, at(8, 9)),
        (MISSING, 1, None),
    ]
    assert Notice.objects.filter(user=member).count() == 2


def test_an_excuse_accepted_later_closes_the_crossing(cell):
    org, secretary, absent, _keen, sessions = cell
    warnings.check_warnings(organization=org, now=at(6, 9))
    excuse = attendance_services.ask_excuse(absent, session=sessions[0], reason="Ốm")
    attendance_services.decide_excuse(secretary, excuse=excuse, accept=True)

    later = warnings.check_warnings(organization=org, now=at(7, 9))

    assert later.closed == 1
    assert not WarningCrossing.objects.filter(cleared_at__isnull=True).exists()


def test_a_standing_warning_is_not_told_again_when_the_count_grows(cell):
    org, secretary, _absent, _keen, _sessions = cell
    warnings.check_warnings(organization=org, now=at(6, 9))
    held(org, secretary, 10)

    later = warnings.check_warnings(organization=org, now=at(11, 9))

    assert later.crossed == 0
    assert crossings() == [("Đảng Viên Vắng", UNEXCUSED, 2, 2)]


# --- The rule: set by the bloc, lowered below, never contradictory -------------------------------


@pytest.fixture
def officers(org_tree, holder_of):
    return (
        holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc),
        holder_of(Role.SECRETARY, org_tree.committee_a1),
    )


def test_the_bloc_sets_the_thresholds_and_a_cell_may_only_lower_them(
    org_tree, cell, officers, holder_of
):
    org, _secretary, absent, _keen, _sessions = cell
    bloc_officer, committee_secretary = officers
    warnings.set_warning_rule(
        bloc_officer, organization=org_tree.bloc, year=YEAR, unexcused=3, missing=2
    )
    warnings.set_warning_rule(
        committee_secretary, organization=org_tree.cell_a1a, year=YEAR, unexcused=1, missing=2
    )
    other_secretary = holder_of(Role.SECRETARY, org_tree.cell_a1b, cell=org_tree.cell_a1b)
    elsewhere = holder_of(Role.DEPUTY_SECRETARY, org_tree.cell_a1b, cell=org_tree.cell_a1b)
    for day in (1, 3):
        held(org_tree.cell_a1b, other_secretary, day)

    warnings.check_warnings(organization=org_tree.bloc, now=at(6, 9))

    assert warnings.warnings_for(org, YEAR).unexcused == 1
    assert warnings.warnings_for(org_tree.cell_a1b, YEAR).unexcused == 3
    # A1a warns at 1: Vắng (2 absences) is warned; in A1b, at 3, two absences are not enough.
    assert crossings() == [(absent.full_name, UNEXCUSED, 1, 2)]
    assert not Notice.objects.filter(user=elsewhere).exists()
    assert AuditEntry.objects.filter(action="oversight.set_warning_rule").count() == 2


def test_a_later_warning_below_is_refused_saying_why(org_tree, officers):
    bloc_officer, committee_secretary = officers
    warnings.set_warning_rule(
        bloc_officer, organization=org_tree.bloc, year=YEAR, unexcused=2, missing=1
    )

    with translation.override("en"), pytest.raises(WarningRuleError) as refused:
        warnings.set_warning_rule(
            committee_secretary, organization=org_tree.cell_a1a, year=YEAR, unexcused=3, missing=1
        )

    assert refused.value.code == "later_than_above"
    assert refused.value.message == (
        "Chi bộ A1a may only warn earlier than Đảng bộ Vụ A1 does in 2026: the warning about "
        "absences without excuse comes at 2 there, and 3 here is later."
    )
    assert not WarningRule.objects.filter(organization=org_tree.cell_a1a).exists()


@pytest.mark.parametrize(
    ("unexcused", "missing", "code"),
    [(0, 1, "out_of_range"), (4, 1, "after_the_fall"), (2, 3, "after_the_fall")],
)
def test_contradictory_thresholds_are_refused(org_tree, officers, unexcused, missing, code):
    bloc_officer, _committee_secretary = officers

    with translation.override("en"), pytest.raises(WarningRuleError) as refused:
        warnings.set_warning_rule(
            bloc_officer,
            organization=org_tree.bloc,
            year=YEAR,
            unexcused=unexcused,
            missing=missing,
        )

    assert refused.value.code == code
    assert WarningRule.objects.count() == 0


def test_a_warning_after_the_fall_says_why(org_tree, officers):
    bloc_officer, _committee_secretary = officers

    with translation.override("en"), pytest.raises(WarningRuleError) as refused:
        warnings.set_warning_rule(
            bloc_officer, organization=org_tree.bloc, year=YEAR, unexcused=4, missing=1
        )

    assert refused.value.message == (
        "A warning at 4 absences without excuse would come after the member has already "
        "fallen to Fail: Pass allows at most 2 in 2026. Warn at 3 or earlier."
    )


def test_a_stricter_assessment_rule_brings_the_warning_forward(org_tree, cell, officers):
    org, _secretary, absent, _keen, _sessions = cell
    bloc_officer, _committee_secretary = officers
    services.set_rule(
        bloc_officer,
        organization=org_tree.bloc,
        year=YEAR,
        good=Thresholds(80, 0, 0, 0),
        passing=Thresholds(50, 0, 1, 1),
    )

    warnings.check_warnings(organization=org, now=at(2, 9))

    # Pass allows no absence: the default warning (at 2) would come after the fall, so it
    # comes at the first one.
    assert crossings() == [(absent.full_name, UNEXCUSED, 1, 1)]


def test_a_rule_out_of_reach_is_refused(org_tree, member_of):
    member = member_of(org_tree.cell_a1a)

    with pytest.raises(WarningRuleError) as refused:
        warnings.set_warning_rule(
            member, organization=org_tree.cell_a1a, year=YEAR, unexcused=1, missing=1
        )

    assert refused.value.code == "out_of_reach"


def _key(page) -> str:
    """The page's one-time form key (members.submissions)."""
    return page.content.decode().split('name="once" value="')[1].split('"')[0]


def test_the_page_shows_the_thresholds_and_the_bloc_sets_them(client, org_tree, officers):
    bloc_officer, _committee_secretary = officers
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(bloc_officer)
    url = reverse("oversight:warning-rule", args=[org_tree.bloc.pk])

    shown = client.get(url, {"year": YEAR})
    saved = client.post(
        url, {"once": _key(shown), "year": YEAR, "unexcused": 3, "missing": 2}, follow=True
    )

    assert "The default thresholds: no organisation has set any for 2026." in (
        shown.content.decode()
    )
    assert [line[1:] for line in shown.context["lines"]] == [(2, 2), (1, 1)]
    assert "The early warnings for 2026 are saved." in saved.content.decode()
    assert [line[1:] for line in saved.context["lines"]] == [(3, 3), (2, 2)]
    assert "The thresholds set by Đảng bộ Khối for 2026." in saved.content.decode()


def test_the_form_refuses_a_later_warning_below_with_the_reason(client, org_tree, officers):
    _bloc_officer, committee_secretary = officers
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(committee_secretary)
    url = reverse("oversight:warning-rule", args=[org_tree.cell_a1a.pk])

    shown = client.get(url, {"year": YEAR})
    refused = client.post(url, {"once": _key(shown), "year": YEAR, "unexcused": 3, "missing": 1})

    assert refused.status_code == 200
    assert "may only warn earlier than Đảng bộ Vụ A1 does in 2026" in refused.content.decode()
    assert not WarningRule.objects.exists()


def test_a_member_cannot_set_the_thresholds(client, org_tree, member_of):
    member = member_of(org_tree.cell_a1a)
    client.force_login(member)
    url = reverse("oversight:warning-rule", args=[org_tree.cell_a1a.pk])

    answer = client.post(url, {"year": YEAR, "unexcused": 1, "missing": 1})

    assert answer.status_code in (403, 404)
    assert not WarningRule.objects.exists()


def test_the_assessment_links_to_the_early_warnings(client, cell):
    org, secretary, _absent, _keen, _sessions = cell
    client.force_login(secretary)

    page = client.get(reverse("oversight:assessment", args=[org.pk]), {"year": YEAR})

    assert f"{reverse('oversight:warning-rule', args=[org.pk])}?year=2026" in page.content.decode()


@pytest.mark.parametrize("model", [WarningRule, WarningCrossing])
def test_the_rules_and_crossings_are_in_the_admin_and_searchable(client, cell, officers, model):
    org, _secretary, _absent, _keen, _sessions = cell
    warnings.set_warning_rule(officers[1], organization=org, year=YEAR, unexcused=2, missing=1)
    warnings.check_warnings(organization=org, now=at(6, 9))
    client.force_login(User.objects.create_superuser(email="root@example.vn", full_name="Quản trị"))
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    listed = client.get(changelist)
    found = client.get(changelist, {"q": "a1a"})

    assert admin.site._registry[model].search_fields
    assert (listed.status_code, found.status_code) == (200, 200)
    assert found.context["cl"].result_count == model.objects.count() == 1


# --- The database tells a crossing once --------------------------------------------------------


def test_the_database_keeps_one_standing_crossing_per_member_kind_and_threshold(cell):
    org, _secretary, absent, _keen, _sessions = cell
    warnings.check_warnings(organization=org, now=at(6, 9))
    [first] = WarningCrossing.objects.all()

    with pytest.raises(IntegrityError), transaction.atomic():
        WarningCrossing.objects.create(
            member=absent,
            organization=org,
            year=YEAR,
            kind=UNEXCUSED,
            threshold=first.threshold,
            count=3,
            run=first.run,
        )


def _race(count: int, run) -> tuple[list, list[Exception]]:
    barrier = threading.Barrier(count)
    results: list = []
    errors: list[Exception] = []

    def one():
        barrier.wait()
        try:
            results.append(run())
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="races need a real server")
def test_three_runs_at_once_tell_a_crossing_once(cell):
    org, secretary, absent, _keen, _sessions = cell

    results, errors = _race(3, lambda: warnings.check_warnings(organization=org, now=at(6, 9)))

    assert errors == []
    assert sorted(r.crossed for r in results) == [0, 0, 1]
    assert WarningCrossing.objects.count() == 1
    assert Notice.objects.filter(user__in=[absent, secretary]).count() == 2


# --- Where it shows ------------------------------------------------------------------------------


def test_the_member_sees_the_warning_on_their_year(client, cell, settings):
    org, _secretary, absent, keen, _sessions = cell
    warnings.check_warnings(organization=org, now=at(6, 9))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    client.force_login(absent)
    mine = client.get(reverse("oversight:my-year"), {"year": YEAR}).content.decode()
    client.force_login(keen)
    theirs = client.get(reverse("oversight:my-year"), {"year": YEAR}).content.decode()

    assert 'class="warning' in mine
    assert "Early warning of 06/12/2026" in mine
    assert "absences without excuse: 2 (the warning comes at 2)." in mine
    assert 'class="warning' not in theirs


def test_the_secretarys_list_marks_the_members_warned(client, cell, settings):
    org, secretary, absent, keen, _sessions = cell
    warnings.check_warnings(organization=org, now=at(6, 9))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(secretary)

    page = client.get(reverse("oversight:assessment", args=[org.pk]), {"year": YEAR})
    html = page.content.decode()

    row_of = {row.member.pk: row for row in page.context["result"].rows}
    assert set(page.context["warned"]) == {absent.pk}
    assert row_of[keen.pk]
    marked = html.split(f'id="member-{absent.pk}"')[1].split("</tr>")[0]
    unmarked = html.split(f'id="member-{keen.pk}"')[1].split("</tr>")[0]
    assert 'class="warning' in marked
    assert "Warned 06/12: absences without excuse 2" in marked
    assert 'class="warning' not in unmarked


# --- Bounded queries -----------------------------------------------------------------------------


def test_the_daily_run_does_not_grow_with_members(
    org_tree, holder_of, member_of, django_assert_max_num_queries
):
    """One member in A1a, five in A1b: the same number of queries for each cell."""
    sizes = {org_tree.cell_a1a: 1, org_tree.cell_a1b: 5}
    for cell, members in sizes.items():
        secretary = holder_of(Role.SECRETARY, cell, cell=cell)
        for index in range(members):
            member_of(cell, full_name=f"Đảng Viên {index}")
        for day in (1, 3):
            held(cell, secretary, day, essay=True)

    counts = {}
    for cell, members in sizes.items():
        # the assessment's own (participations, outcomes, essays, members, judgements,
        # rules); essays not due; warning rules; standing warnings; secretaries; the insert,
        # what it inserted, the notices
        with django_assert_max_num_queries(30) as first:
            told = warnings.check_warnings(organization=cell, now=at(12, 9))
        with django_assert_max_num_queries(25) as second:
            again = warnings.check_warnings(organization=cell, now=at(13, 9))
        # Each member and the secretary: two absences and two essays missing.
        assert (told.crossed, again.crossed) == (2 * (members + 1), 0)
        assert told.told == 2 * members * 2 + 2
        counts[members] = (len(first), len(second))

    assert counts[1] == counts[5]
