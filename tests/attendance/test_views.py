import pytest
import time_machine
from django.urls import reverse

from attendance import tokens
from attendance.models import CheckIn
from tests.factories import PASSWORD
from tests.times import at

pytestmark = pytest.mark.django_db


def qr_path(segment, moment, direction="in"):
    return reverse(
        "attendance:scan",
        args=[tokens.make_token(segment.pk, None, direction, tokens.window_at(moment))],
    )


def test_logged_out_scan_is_held_through_login_and_recorded_at_scan_time(client, member, morning):
    scanned = at(10, 7, 44)
    with time_machine.travel(scanned, tick=False):
        first = client.get(qr_path(morning, scanned))
    with time_machine.travel(at(10, 7, 52), tick=False):  # typing a password takes a while
        login = client.post(
            first["Location"].split("?")[0] + "?" + first["Location"].split("?")[1],
            {"login": member.party_card_number, "password": PASSWORD},
        )
        landed = client.get(login["Location"])

    check_in = CheckIn.objects.get()
    assert first.status_code == 302 and "/accounts/login/" in first["Location"]
    assert login["Location"] == reverse("attendance:resume")
    assert landed.status_code == 200 and "Đảng Viên Một" in landed.content.decode()
    assert check_in.at == scanned and check_in.participant.user == member


def test_logged_in_scan_shows_a_big_confirmation_then_already_checked_in(client, member, morning):
    client.force_login(member)
    with time_machine.travel(at(10, 7, 58), tick=False):
        first = client.get(qr_path(morning, at(10, 7, 58)))
        second = client.get(qr_path(morning, at(10, 7, 58)))

    assert first.status_code == 200 and first.context["result"].created
    assert "07:58" in second.content.decode() and not second.context["result"].created
    assert CheckIn.objects.count() == 1
    assert "hoctap_device" in first.cookies


@pytest.mark.parametrize("path", ["/a/garbage/", "/a/1:2:3/"])
def test_forged_token_gets_a_clear_page_not_a_500(client, member, morning, path):
    client.force_login(member)

    response = client.get(path)

    assert response.status_code == 400
    assert "không phải là mã điểm danh" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_expired_token_gets_a_clear_page(client, member, morning):
    client.force_login(member)
    with time_machine.travel(at(10, 7, 58), tick=False):
        response = client.get(qr_path(morning, at(10, 7, 50)))

    assert response.status_code == 400
    assert "hết hạn" in response.content.decode()


def test_projector_is_for_the_organiser_side_only(
    client, org_tree, secretary, secretary_of, member, morning
):
    client.force_login(secretary)
    with time_machine.travel(at(10, 7, 40), tick=False):  # check-in is open: a code shows
        own = client.get(reverse("attendance:projector", args=[morning.pk]))
        state = client.get(reverse("attendance:projector-state", args=[morning.pk])).json()
    client.force_login(secretary_of(org_tree.cell_a1b))
    other = client.get(reverse("attendance:projector", args=[morning.pk]))
    client.force_login(member)
    plain = client.get(reverse("attendance:projector", args=[morning.pk]))

    assert own.status_code == 200 and "<svg" in own.content.decode()
    assert state["url"].startswith("http") and len(state["code"]) == 6 and state["expected"] == 2
    assert other.status_code == 404 and plain.status_code == 404


def test_projector_for_check_out_only_where_the_segment_has_it(
    client, secretary, morning, afternoon
):
    client.force_login(secretary)

    assert (
        client.get(
            reverse("attendance:projector", args=[morning.pk]), {"direction": "out"}
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("attendance:projector", args=[afternoon.pk]), {"direction": "out"}
        ).status_code
        == 200
    )


def test_sheet_and_marks_through_the_pages(client, secretary, member, morning, session):
    client.force_login(secretary)
    participant = session.participants.get(user=member)

    marked = client.post(
        reverse("attendance:mark", args=[session.pk]),
        {
            "participant": participant.pk,
            "segment": morning.pk,
            "status": "present",
            "reason": "Quên điện thoại",
        },
        follow=True,
    )

    assert marked.status_code == 200
    row = next(r for r in marked.context["sheet"].rows if r.participant == participant)
    assert row.cells[0].status == "present"


def test_marking_another_cells_member_is_404(
    client, org_tree, secretary_of, member, morning, session
):
    client.force_login(secretary_of(org_tree.cell_a1b))
    participant = session.participants.get(user=member)

    response = client.post(
        reverse("attendance:mark", args=[session.pk]),
        {"participant": participant.pk, "segment": morning.pk, "status": "present", "reason": "x"},
    )

    assert response.status_code == 404
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("n", [1, 4])
def test_sheet_queries_are_bounded(
    client, org_tree, secretary, member_of, session, n, django_assert_max_num_queries
):
    from study import services as study_services

    for _ in range(n):
        study_services.add_participant(
            secretary, session=session, user=member_of(org_tree.cell_a1a)
        )
    client.force_login(secretary)

    # 19: one for the scans sent later (issue 16) that wait or were refused.
    with django_assert_max_num_queries(19):
        response = client.get(reverse("attendance:sheet", args=[session.pk]))

    assert len(response.context["sheet"].rows) == 2 + n


def test_code_entry_page(client, member, morning):
    client.force_login(member)
    moment = at(10, 7, 50)
    with time_machine.travel(moment, tick=False):
        code = tokens.short_code(morning.pk, None, "in", tokens.window_at(moment))
        wrong = client.post(reverse("attendance:code"), {"code": "12345"})
        right = client.post(reverse("attendance:code"), {"code": code})

    assert wrong.status_code == 200 and wrong.context["form"].errors["code"]
    assert right.status_code == 200 and right.context["result"].created


def test_a_big_sheet_can_be_narrowed_to_one_cell(client, org_tree, holder_of, member_of, spec_for):
    from members.models import Role
    from study import services as study_services

    officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc)
    member_of(org_tree.cell_a1a, full_name="Người A")
    member_of(org_tree.cell_b, full_name="Người B")
    session = study_services.create_session(officer, spec=spec_for(org_tree.bloc))
    study_services.publish_session(officer, session=session)
    client.force_login(officer)

    everyone = client.get(reverse("attendance:sheet", args=[session.pk]))
    one_cell = client.get(
        reverse("attendance:sheet", args=[session.pk]), {"org": org_tree.cell_b.pk}
    )
    nonsense = client.get(reverse("attendance:sheet", args=[session.pk]), {"org": "x"})

    assert len(everyone.context["sheet"].rows) == 2
    assert [r.participant.user.full_name for r in one_cell.context["sheet"].rows] == ["Người B"]
    assert len(nonsense.context["sheet"].rows) == 2


def test_connection_point_host_shows_their_points_qr_only(
    client, org_tree, holder_of, member_of, secretary_of, spec_for
):
    from members.models import Role
    from study import services as study_services
    from study.services import PointSpec

    officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc)
    host = member_of(org_tree.cell_b, full_name="Chủ Trì Điểm Cầu")  # no role at all
    spec = spec_for(
        org_tree.bloc,
        mode="hybrid",
        meeting_url="https://hop.example.vn/k",
        points=[
            PointSpec(org_tree.cell_b, "Điểm cầu Bộ B", host=host),
            PointSpec(org_tree.cell_a1a, "Điểm cầu A"),
        ],
    )
    session = study_services.create_session(officer, spec=spec)
    study_services.publish_session(officer, session=session)
    segment = session.segments.first()
    mine, other = (
        session.connection_points.get(place="Điểm cầu Bộ B"),
        session.connection_points.get(place="Điểm cầu A"),
    )
    url = reverse("attendance:projector", args=[segment.pk])
    client.force_login(host)

    assert client.get(url, {"point": mine.pk}).status_code == 200
    assert client.get(url, {"point": other.pk}).status_code == 404
    assert client.get(url).status_code == 404
    client.force_login(secretary_of(org_tree.cell_a1a))  # the point's own organisation
    assert client.get(url, {"point": other.pk}).status_code == 200
    assert client.get(url, {"point": mine.pk}).status_code == 404


def test_a_bloc_sized_sheet_is_paged_but_counts_everyone(
    client, org_tree, secretary, member_of, session
):
    from study import services as study_services

    for _ in range(101):
        study_services.add_participant(
            secretary, session=session, user=member_of(org_tree.cell_a1a)
        )
    client.force_login(secretary)

    first = client.get(reverse("attendance:sheet", args=[session.pk]))
    second = client.get(reverse("attendance:sheet", args=[session.pk]), {"page": 2})

    assert len(first.context["page"].object_list) == 100
    assert len(second.context["page"].object_list) == 3
    assert sum(first.context["sheet"].totals[0].counts.values()) == 103


def test_the_first_member_on_a_shared_phone_is_in_the_same_browser_signal(
    client, org_tree, member_of, secretary, member, morning, session
):
    from attendance.queries import misuse_signals
    from study import services as study_services

    friend = member_of(org_tree.cell_a1a, full_name="Bạn Mượn Máy")
    study_services.add_participant(secretary, session=session, user=friend)
    with time_machine.travel(at(10, 7, 50), tick=False):
        client.force_login(member)  # a new phone: no device cookie yet
        client.get(qr_path(morning, at(10, 7, 50)))
        client.force_login(friend)  # the same phone, the cookie kept
        client.get(qr_path(morning, at(10, 7, 50)))

    devices = {c.device for c in CheckIn.objects.all()}
    [signal] = misuse_signals(secretary, session)
    assert len(devices) == 1 and devices == {client.cookies["hoctap_device"].value}
    assert sorted(signal.names) == ["Bạn Mượn Máy", "Đảng Viên Một"]
