"""Issue 16: scans a device kept while it had no network, sent later. A member's phone (its
service worker) sends the projector's token with how long it held it; the door scanner sends
the cards it read. Each applied once; a late phone scan waits for the secretary."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from attendance import outcomes, services, tokens
from attendance.models import CheckIn, QueuedScan, SettledOutcome, Status
from attendance.outcomes import attendance_of
from members.cards import card_code
from study.models import Participant
from tests.times import at

pytestmark = pytest.mark.django_db

MS = 1000


def _token(segment, moment, direction="in"):
    return tokens.make_token(segment.pk, None, direction, tokens.window_at(moment))


def _item(client_id, token, *, held: float, user=None, **extra):
    """A scan as the phone sends it: its own clock's time of the scan and of the send."""
    sent = 1_800_000_000 * MS
    item = {"client_id": client_id, "token": token, "scanned_at": sent - int(held * MS)}
    return {**item, "sent_at": sent, "user": user, **extra}


def _send(actor, *items, now):
    return services.receive_phone_scans(actor, scans=list(items), now=now, device="phone-1")


def test_a_scan_held_a_few_seconds_is_recorded_at_its_own_time(member, morning):
    scanned = at(10, 7, 40)
    arrived = scanned + timedelta(seconds=6)

    [answer] = _send(member, _item("client-0001", _token(morning, scanned), held=6), now=arrived)

    assert answer.state == "recorded" and not answer.replayed
    check_in = CheckIn.objects.get()
    assert (check_in.at, check_in.method, check_in.device) == (scanned, "qr", "phone-1")
    assert QueuedScan.objects.get().check_in == check_in


def test_a_late_scan_waits_for_the_secretary_and_counts_only_once_confirmed(
    secretary, member, morning
):
    scanned = at(10, 7, 40)
    arrived = scanned + timedelta(seconds=95)
    participant = Participant.objects.get(user=member)

    [answer] = _send(member, _item("client-0002", _token(morning, scanned), held=95), now=arrived)

    assert answer.state == "pending" and "07:40:00" in answer.message
    assert not CheckIn.objects.exists()
    after_end = at(10, 17)
    [before] = attendance_of([participant], now=after_end)
    assert before.segments[0].status == Status.ABSENT  # pending is not attended

    decided = services.decide_queued(secretary, scans=[answer.scan.pk], accept=True)

    assert decided == 1
    check_in = CheckIn.objects.get()
    assert (check_in.at, check_in.recorded_by, check_in.method) == (scanned, secretary, "qr")
    [after] = attendance_of([participant], now=after_end)
    assert after.segments[0].status == Status.PRESENT
    scan = QueuedScan.objects.get()
    assert (scan.state, scan.check_in, scan.decided_by) == ("confirmed", check_in, secretary)
    # Decided once: a second tap decides nothing more.
    assert services.decide_queued(secretary, scans=[scan.pk], accept=True) == 0


def test_a_replayed_client_id_is_answered_again_without_a_second_row(member, morning):
    scanned = at(10, 7, 40)
    item = _item("client-0003", _token(morning, scanned), held=2)

    [first] = _send(member, item, now=scanned + timedelta(seconds=2))
    [again] = _send(member, item, now=scanned + timedelta(seconds=40))

    assert (first.state, again.state, again.replayed) == ("recorded", "recorded", True)
    assert CheckIn.objects.count() == 1 and QueuedScan.objects.count() == 1


def test_another_members_client_id_is_ignored(org_tree, member_of, member, morning):
    scanned = at(10, 7, 40)
    _send(member, _item("client-0004", _token(morning, scanned), held=2), now=scanned)
    other = member_of(org_tree.cell_a1a)

    [answer] = _send(other, _item("client-0004", _token(morning, scanned), held=2), now=scanned)

    assert answer.scan is None and answer.state == "refused" and answer.message
    assert QueuedScan.objects.get().user == member


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("expired at its time", "qr_expired"),
        ("claimed in the future", "queued_future"),
        ("after the bound", "queued_too_late"),
        ("another member logged in", "queued_other_member"),
        ("not ours", "qr_invalid"),
    ],
)
def test_bad_queued_scans_are_refused_with_their_reason(member, morning, case, code):
    from attendance.errors import AttendanceError

    arrived = at(10, 7, 50)
    item = {
        "expired at its time": _item("client-0005", _token(morning, at(10, 7, 40)), held=60),
        "claimed in the future": _item("client-0005", _token(morning, arrived), held=-30),
        "after the bound": _item("client-0005", _token(morning, at(10, 7, 46)), held=240),
        "another member logged in": _item(
            "client-0005", _token(morning, arrived), held=3, user=member.pk + 1000
        ),
        "not ours": _item("client-0005", "WyJmb3JnZWQiXQ:1abc:forged", held=3),
    }[case]

    [answer] = _send(member, item, now=arrived)

    assert answer.state == "refused"
    expected = AttendanceError(code, minutes=3).message
    assert answer.message == expected
    assert QueuedScan.objects.get().reason == expected
    assert not CheckIn.objects.exists()


def test_a_late_scan_of_a_member_already_checked_in_is_no_second_row(member, morning):
    scanned = at(10, 7, 40)
    services.check_in_with_token(
        member, token=_token(morning, at(10, 7, 35)), scanned_at=at(10, 7, 35), now=at(10, 7, 35)
    )

    [answer] = _send(
        member, _item("client-0006", _token(morning, scanned), held=60), now=at(10, 7, 41)
    )

    assert answer.state == "recorded" and "07:35" in answer.message
    assert CheckIn.objects.count() == 1


def test_confirming_after_the_session_settled_computes_its_outcome_again(
    secretary, member, morning, session
):
    participant = Participant.objects.get(user=member)
    [answer] = _send(
        member,
        _item("client-0007", _token(morning, at(10, 7, 40)), held=90),
        now=at(10, 7, 40) + timedelta(seconds=90),
    )
    from attendance import settlement

    settlement.settle(Participant.objects.filter(pk=participant.pk), now=at(11, 9))
    assert SettledOutcome.objects.get().outcome == "absent"

    assert answer.state == "pending", answer.message
    decided = services.decide_queued(secretary, scans=[answer.scan.pk], accept=True, now=at(11, 9))

    assert decided == 1

    assert not SettledOutcome.objects.exists()  # forgotten: computed again on the next read
    assert outcomes.attendance_of([participant], now=at(11, 9))[0].attended_segments == 1


# --- Through the pages -----------------------------------------------------------------------


def _post_json(client, url, payload):
    return client.post(url, json.dumps(payload), content_type="application/json")


def test_the_phone_gets_a_csrf_token_then_sends_its_scans(member, morning):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    scanned = at(10, 7, 40)
    url = reverse("attendance:offline-send")
    with time_machine.travel(scanned + timedelta(seconds=100), tick=False):
        csrf = client.get(url).json()["csrf"]
        refused = _post_json(client, url, {"scans": [_item("client-0008", "x", held=1)]})
        answer = client.post(
            url,
            json.dumps(
                {
                    "scans": [
                        _item("client-0009", _token(morning, scanned), held=100),
                        {"client_id": "bad id!", "token": "x"},
                    ]
                }
            ),
            content_type="application/json",
            headers={"x-csrftoken": csrf},
        )

    assert refused.status_code == 403  # no token, no scan
    results = answer.json()["results"]
    assert [r["state"] for r in results] == ["pending", "refused"]
    assert results[1]["client_id"] == "bad id!"
    assert not CheckIn.objects.exists()


def test_a_logged_out_phone_is_sent_to_the_login(client):
    response = _post_json(client, reverse("attendance:offline-send"), {"scans": []})
    assert response.status_code == 302


def test_the_sheet_shows_late_scans_and_confirms_those_that_look_right(
    client, org_tree, member_of, secretary, member, morning, session
):
    from study import services as study_services

    lent = member_of(org_tree.cell_a1a, full_name="Người Mượn Máy")
    third = member_of(org_tree.cell_a1a, full_name="Người Thứ Ba")
    for user in (lent, third):
        study_services.add_participant(secretary, session=session, user=user)
    scanned = at(10, 7, 40)
    arrived = scanned + timedelta(seconds=70)
    [right] = _send(member, _item("client-0010", _token(morning, scanned), held=70), now=arrived)
    for user, client_id in ((lent, "client-0011"), (third, "client-0012")):
        # one phone for two members: both doubtful
        services.receive_phone_scans(
            user,
            scans=[_item(client_id, _token(morning, scanned), held=70)],
            now=arrived,
            device="phone-2",
        )
    afternoon = session.segments.get(name="Buổi chiều")  # its check-in is not open yet
    _send(member, _item("client-0013", _token(afternoon, scanned), held=70), now=arrived)
    client.force_login(secretary)

    page = client.get(reverse("attendance:sheet", args=[session.pk]))

    queued = page.context["queued"]
    assert [p.scan.user for p in queued.pending] == [member, lent, third]
    assert [p.scan for p in queued.look_right] == [right.scan]
    assert len(queued.refused) == 1
    html = page.content.decode()
    assert 'id="confirm-right"' in html and queued.refused[0].reason in html

    decide = reverse("attendance:decide-queued", args=[session.pk])
    client.post(decide, {"scan": [right.scan.pk], "accept": "1"})
    client.post(decide, {"scan": [queued.pending[1].scan.pk], "accept": "0"})

    assert list(CheckIn.objects.values_list("participant__user", flat=True)) == [member.pk]
    states = dict(QueuedScan.objects.values_list("client_id", "state"))
    assert states["client-0010"] == "confirmed" and states["client-0011"] == "refused"
    mine = client.get(reverse("attendance:offline"))
    assert mine.status_code == 200


def test_the_members_page_lists_their_refused_scan_with_its_reason(client, member, morning):
    arrived = at(10, 7, 50)
    [answer] = _send(
        member, _item("client-0014", _token(morning, at(10, 7, 40)), held=60), now=arrived
    )
    client.force_login(member)

    with time_machine.travel(arrived, tick=False):
        page = client.get(reverse("attendance:offline"))

    assert answer.message in page.content.decode()


# --- The door scanner ------------------------------------------------------------------------


def _door(client, segment, *items):
    return _post_json(
        client, reverse("attendance:door-queue", args=[segment.pk]), {"scans": list(items)}
    ).json()["results"]


def test_the_door_queue_is_applied_once_with_the_times_of_the_scans(
    client, org_tree, member_of, secretary, member, morning
):
    stranger = member_of(org_tree.cell_a1a, full_name="Khách Chưa Mời")
    Participant.objects.filter(user=stranger).delete()
    client.force_login(secretary)
    sent = 1_800_000_000 * MS
    items = [
        {"client_id": "door-0001", "code": card_code(member.pk), "scanned_at": sent - 120 * MS},
        {"client_id": "door-0002", "code": "99.999999", "scanned_at": sent - 60 * MS},
        {"client_id": "door-0003", "code": stranger.party_card_number, "scanned_at": sent},
        {
            "client_id": "door-0004",
            "code": member.party_card_number,
            "scanned_at": sent - 3600 * MS,
        },
    ]
    items = [{**item, "sent_at": sent} for item in items]
    arrived = at(10, 7, 45)

    with time_machine.travel(arrived, tick=False):
        first = _door(client, morning, *items)
        again = _door(client, morning, *items)

    assert [r["state"] for r in first] == ["recorded", "refused", "refused", "refused"]
    assert "Khách Chưa Mời" in first[2]["message"] and "30" in first[3]["message"]
    assert [r.get("name") for r in first] == [
        member.full_name,
        None,
        "Khách Chưa Mời",
        None,  # refused for its age before anyone was looked up
    ]
    assert [r["replayed"] for r in again] == [True] * 4
    check_in = CheckIn.objects.get()
    assert check_in.at == arrived - timedelta(seconds=120)
    assert (check_in.method, check_in.recorded_by) == ("card", secretary)
    assert QueuedScan.objects.count() == 4


def test_the_door_queue_is_the_secretarys_own(client, org_tree, secretary_of, member, morning):
    client.force_login(secretary_of(org_tree.cell_a1b))
    response = _post_json(
        client,
        reverse("attendance:door-queue", args=[morning.pk]),
        {
            "scans": [
                {
                    "client_id": "door-0005",
                    "code": card_code(member.pk),
                    "scanned_at": 1,
                    "sent_at": 1,
                }
            ]
        },
    )
    assert response.status_code == 404
    assert not QueuedScan.objects.exists()


# --- The installable app -----------------------------------------------------------------------


def test_the_service_worker_and_the_manifest_are_served_by_the_app(client):
    from django.contrib.staticfiles import finders

    worker = client.get("/sw.js")
    manifest = client.get("/manifest.webmanifest").json()

    assert worker["Content-Type"].startswith("text/javascript")
    assert worker.content.startswith(b"self.HOCTAP = {")
    assert b'"scanPrefix": "/a/"' in worker.content
    assert manifest["scope"] == "/" and manifest["start_url"] == "/"
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/static/")
        assert finders.find(icon["src"].removeprefix("/static/"))


def test_a_code_claimed_before_it_was_shown_is_refused_on_the_sheet(
    client, secretary, member, morning, session
):
    # A photo of the code passed on at 07:45, sent as if scanned at 07:44: before the code began.
    arrived = at(10, 7, 45)
    [answer] = _send(member, _item("client-0015", _token(morning, arrived), held=60), now=arrived)
    client.force_login(secretary)

    page = client.get(reverse("attendance:sheet", args=[session.pk]))

    assert answer.state == "refused" and answer.scan.segment == morning
    assert [s.pk for s in page.context["queued"].refused] == [answer.scan.pk]
    assert not CheckIn.objects.exists()


def test_the_session_page_shows_the_members_scan_waiting_then_confirmed(
    client, secretary, member, morning
):
    scanned = at(10, 7, 40)
    [answer] = _send(
        member,
        _item("client-0900", _token(morning, scanned), held=95),
        now=scanned + timedelta(seconds=95),
    )
    session_page = morning.session.get_absolute_url()
    client.force_login(member)

    mine = client.get(session_page).text
    assert 'class="queued-pending"' in mine and reverse("attendance:offline") in mine

    services.decide_queued(secretary, scans=[answer.scan.pk], accept=True)

    assert 'class="queued-' not in client.get(session_page).text
