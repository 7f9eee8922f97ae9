"""Issue 13.5: the door scanner speaks to the secretary, names the member scanned when within
reach (an unknown or out-of-reach card names nobody, issue 10.10), and offers to add someone
who is not on the list."""

import re

import pytest
import time_machine
from django.urls import reverse

from attendance.models import CheckIn
from members.cards import card_code
from members.submissions import new_key
from study.models import Participant
from tests.times import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(client, settings):
    """The page's texts are read in English (asked for with the language cookie)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def door(client, segment, code, moment):
    with time_machine.travel(moment, tick=False):
        return client.post(reverse("attendance:door", args=[segment.pk]), {"code": code})


def answer(response) -> str:
    """The answer box of the door page, tags stripped."""
    html = response.content.decode()
    box = html.split('<div id="door-result">', 1)[1].split('<section class="card scanner">')[0]
    return " ".join(re.sub(r"<[^>]+>", " ", box).split())


def add(client, segment, code, moment, key=None):
    with time_machine.travel(moment, tick=False):
        return client.post(
            reverse("attendance:door-add", args=[segment.pk]),
            {"code": code, "once": key or new_key()},
        )


@pytest.fixture
def stranger(org_tree, member_of):
    """A member of the secretary's own cell who is not on this session's list."""
    return member_of(org_tree.cell_a1a, full_name="Đỗ Văn Chưa Mời", party_card_number="08.000777")


@pytest.fixture
def unlisted(stranger, session):
    Participant.objects.filter(session=session, user=stranger).delete()
    return stranger


def test_a_check_in_names_the_member_with_card_and_cell(client, secretary, member, morning):
    client.force_login(secretary)

    response = door(client, morning, card_code(member.pk), at(10, 7, 36))

    text = answer(response)
    assert response.status_code == 200
    assert "Đảng Viên Một checked in at 07:36." in text
    assert "Card 08.000001" in text and "Chi bộ A1a" in text


def test_a_late_arrival_and_a_second_scan_are_told_as_such(client, secretary, member, morning):
    client.force_login(secretary)

    late = door(client, morning, member.party_card_number, at(10, 9, 5))
    again = door(client, morning, card_code(member.pk), at(10, 9, 6))

    assert "Đảng Viên Một checked in at 09:05, late." in answer(late)
    assert "Đảng Viên Một was already checked in at 09:05." in answer(again)
    assert CheckIn.objects.count() == 1


def test_a_refusal_names_the_member_and_says_why(client, secretary, member, morning):
    client.force_login(secretary)

    early = door(client, morning, member.party_card_number, at(9, 20, 0))

    text = answer(early)
    assert early.status_code == 400
    assert text.startswith("Đảng Viên Một is not checked in: Check-in for Buổi sáng opens at")
    assert "Card 08.000001" in text
    assert not CheckIn.objects.exists()


def test_unknown_and_out_of_reach_cards_read_alike_and_name_nobody(
    client, org_tree, member_of, secretary, morning
):
    elsewhere = member_of(org_tree.cell_b, full_name="Người Bộ B", party_card_number="05.000123")
    client.force_login(secretary)

    unknown = door(client, morning, "05.999999", at(10, 7, 40))
    outside = door(client, morning, elsewhere.party_card_number, at(10, 7, 40))
    outside_qr = door(client, morning, card_code(elsewhere.pk), at(10, 7, 40))

    assert unknown.status_code == outside.status_code == outside_qr.status_code == 400
    assert answer(unknown) == answer(outside) == answer(outside_qr)
    assert answer(unknown) == "No member of your organisations matches this QR or card number."
    for response in (outside, outside_qr):
        page = response.content.decode()
        assert "Người Bộ B" not in page and "door-add" not in page and "Card " not in page


def test_not_on_the_list_offers_to_add_them(client, secretary, unlisted, morning):
    client.force_login(secretary)

    response = door(client, morning, card_code(unlisted.pk), at(10, 7, 40))

    text = answer(response)
    html = response.content.decode()
    assert "Đỗ Văn Chưa Mời is not on the list of this session." in text
    assert "Add Đỗ Văn Chưa Mời to the list and check in" in text
    assert reverse("attendance:door-add", args=[morning.pk]) in html
    assert re.search(r'name="once" value="[0-9a-f]{32}"', html)
    assert f'name="code" value="{card_code(unlisted.pk)}"' in html


def test_adding_at_the_door_lists_and_checks_in_once(client, secretary, unlisted, morning):
    client.force_login(secretary)
    key = new_key()

    first = add(client, morning, unlisted.party_card_number, at(10, 7, 41), key=key)
    repeat = add(client, morning, unlisted.party_card_number, at(10, 7, 42), key=key)
    page = client.get(first["Location"]).content.decode()

    assert first.status_code == 302 and first["Location"] == reverse(
        "attendance:door", args=[morning.pk]
    )
    assert repeat.status_code == 302
    participant = Participant.objects.current().get(session=morning.session, user=unlisted)
    assert participant.source == Participant.Source.ADDED
    check_in = CheckIn.objects.get(participant=participant)
    assert (check_in.method, check_in.recorded_by) == ("card", secretary)
    assert "Đỗ Văn Chưa Mời is added to the list and checked in at 07:41." in page


def test_adding_is_refused_for_a_card_out_of_reach_naming_nobody(
    client, org_tree, member_of, secretary, morning
):
    elsewhere = member_of(org_tree.cell_b, full_name="Người Bộ B", party_card_number="05.000124")
    client.force_login(secretary)

    response = add(client, morning, card_code(elsewhere.pk), at(10, 7, 41))

    assert response.status_code == 400
    assert answer(response) == "No member of your organisations matches this QR or card number."
    assert not Participant.objects.filter(user=elsewhere, session=morning.session).exists()
    assert not CheckIn.objects.exists()


def test_adding_before_check_in_opens_adds_nobody(client, secretary, unlisted, morning):
    client.force_login(secretary)

    response = add(client, morning, unlisted.party_card_number, at(9, 20, 0))

    assert response.status_code == 400
    assert "Đỗ Văn Chưa Mời is not checked in" in answer(response)
    assert not Participant.objects.filter(user=unlisted, session=morning.session).exists()


def test_another_cells_secretary_cannot_use_the_door_add(
    client, org_tree, secretary_of, unlisted, morning
):
    client.force_login(secretary_of(org_tree.cell_a1b))

    response = add(client, morning, unlisted.party_card_number, at(10, 7, 41))

    assert response.status_code == 404
    assert not Participant.objects.filter(user=unlisted, session=morning.session).exists()
