import pytest
import time_machine
from django.urls import reverse

from attendance import services, tokens
from attendance.errors import AttendanceError
from attendance.models import CheckIn, Decision, ExcuseRequest, JoinRequest, Status
from attendance.queries import attendance_sheet
from study.models import Participant
from tests.times import at

pytestmark = pytest.mark.django_db


def qr_path(segment, moment):
    return reverse(
        "attendance:scan",
        args=[tokens.make_token(segment.pk, None, "in", tokens.window_at(moment))],
    )


def test_unexpected_member_asks_and_the_secretary_adds_them_with_the_scan(
    client, org_tree, member_of, secretary, morning, session
):
    visitor = member_of(org_tree.cell_a1a, full_name="Người Mới Chuyển Đến")
    client.force_login(visitor)
    with time_machine.travel(at(10, 7, 40), tick=False):
        refused = client.get(qr_path(morning, at(10, 7, 40)))
    with time_machine.travel(at(10, 7, 42), tick=False):
        asked = client.post(reverse("attendance:ask-to-join"), follow=True)
    client.force_login(secretary)
    sheet = client.get(reverse("attendance:sheet", args=[session.pk]))
    join = JoinRequest.objects.get()
    client.post(reverse("attendance:decide-join", args=[join.pk]), {"accept": "1"})

    assert refused.status_code == 400 and refused.context["can_ask"]
    assert asked.status_code == 200
    assert sheet.context["pending"][0] == [join]
    join.refresh_from_db()
    assert join.decision == Decision.ACCEPTED
    assert Participant.objects.get(session=session, user=visitor).source == Participant.Source.ADDED
    assert CheckIn.objects.get(participant__user=visitor).at == at(10, 7, 40)


def test_refused_request_adds_nobody_and_cannot_be_decided_twice(
    org_tree, member_of, secretary, morning, session
):
    visitor = member_of(org_tree.cell_a1a)
    token = tokens.make_token(morning.pk, None, "in", tokens.window_at(at(10, 7, 40)))
    join = services.ask_to_join(visitor, token=token, scanned_at=at(10, 7, 40), now=at(10, 7, 41))

    services.decide_join_request(secretary, request=join, accept=False)
    with pytest.raises(AttendanceError) as twice:
        services.decide_join_request(secretary, request=join, accept=True)
    with pytest.raises(AttendanceError) as again:
        services.ask_to_join(visitor, token=token, scanned_at=at(10, 7, 40), now=at(10, 7, 41))

    assert twice.value.code == "already_decided"
    assert again.value.code == "already_asked"
    assert not Participant.objects.filter(session=session, user=visitor).exists()
    assert not CheckIn.objects.exists()


def test_accepted_excuse_turns_absent_into_excused(member, secretary, morning, afternoon, session):
    excuse = services.ask_excuse(
        member, session=session, reason="Đi công tác tỉnh", segment=afternoon
    )

    services.decide_excuse(secretary, excuse=excuse, accept=True)
    sheet = attendance_sheet(secretary, session, now=at(10, 18))

    row = next(r for r in sheet.rows if r.participant.user == member)
    assert [c.status for c in row.cells] == [Status.ABSENT, Status.EXCUSED]


def test_excuse_of_another_cell_cannot_be_decided(client, org_tree, secretary_of, member, session):
    excuse = services.ask_excuse(member, session=session, reason="Ốm")
    client.force_login(secretary_of(org_tree.cell_a1b))

    response = client.post(reverse("attendance:decide-excuse", args=[excuse.pk]), {"accept": "1"})

    assert response.status_code == 404
    excuse.refresh_from_db()
    assert excuse.decision == Decision.PENDING


def test_only_expected_participants_report_absences(org_tree, member_of, session):
    with pytest.raises(AttendanceError) as error:
        services.ask_excuse(member_of(org_tree.cell_a1a), session=session, reason="x")

    assert error.value.code == "not_your_participation"
    assert not ExcuseRequest.objects.exists()


def test_member_reports_an_absence_through_the_page(client, member, session):
    client.force_login(member)

    response = client.post(
        reverse("attendance:excuse", args=[session.pk]), {"reason": "Con ốm", "segment": ""}
    )

    assert response.status_code == 302
    assert ExcuseRequest.objects.get().reason == "Con ốm"


def test_accepting_a_member_of_another_cell_adds_them_as_a_guest(
    client, org_tree, secretary, member_of, morning, session
):
    visitor = member_of(org_tree.cell_b, full_name="Khách Bộ B")
    token = tokens.make_token(morning.pk, None, "in", tokens.window_at(at(10, 7, 40)))
    join = services.ask_to_join(visitor, token=token, scanned_at=at(10, 7, 40), now=at(10, 7, 41))
    client.force_login(secretary)

    with time_machine.travel(at(10, 7, 45), tick=False):
        answer = client.post(reverse("attendance:decide-join", args=[join.pk]), {"accept": "1"})
        sheet = client.get(reverse("attendance:sheet", args=[session.pk]))

    guest = session.participants.get(user=visitor)
    assert answer.status_code == 302
    assert guest.source == Participant.Source.GUEST
    assert guest.organization == org_tree.cell_b  # their own cell is kept
    assert CheckIn.objects.get(participant=guest).at == at(10, 7, 40)
    assert "Khách Bộ B" in sheet.content.decode()


def test_a_guest_without_a_cell_is_refused_with_a_reason(client, secretary, morning, session):
    from tests.factories import UserFactory

    drifter = UserFactory(full_name="Không Chi Bộ")
    token = tokens.make_token(morning.pk, None, "in", tokens.window_at(at(10, 7, 40)))
    join = services.ask_to_join(drifter, token=token, scanned_at=at(10, 7, 40), now=at(10, 7, 41))
    client.force_login(secretary)

    answer = client.post(
        reverse("attendance:decide-join", args=[join.pk]), {"accept": "1"}, follow=True
    )

    assert answer.status_code == 200
    assert "Không Chi Bộ" in next(str(m) for m in answer.context["messages"])
    assert not session.participants.filter(user=drifter).exists()
