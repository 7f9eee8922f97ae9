import pytest
import time_machine
from django.urls import reverse

from attendance import services
from attendance.errors import AttendanceError
from attendance.models import CheckIn
from members.cards import card_code, read_card_code
from study.models import Participant
from tests.times import at

pytestmark = pytest.mark.django_db


def test_personal_qr_round_trips_and_cannot_be_made_up(member):
    assert read_card_code(card_code(member.pk)) == member.pk
    assert read_card_code(f"HTDV:{member.pk}") is None
    assert read_card_code("01234567") is None


@pytest.mark.parametrize("by", ["qr", "card"])
def test_secretary_checks_a_member_in_at_the_door(secretary, member, morning, by):
    code = card_code(member.pk) if by == "qr" else member.party_card_number

    result = services.check_in_member_card(secretary, segment=morning, code=code, now=at(10, 7, 35))

    assert result.created
    assert (result.check_in.method, result.check_in.recorded_by) == ("card", secretary)


def test_an_unknown_card_and_another_cells_member_read_the_same(
    org_tree, secretary_of, secretary, member, morning
):
    with pytest.raises(AttendanceError) as unknown:
        services.check_in_member_card(
            secretary, segment=morning, code="99.999999", now=at(10, 7, 35)
        )
    with pytest.raises(AttendanceError) as outside:
        services.check_in_member_card(
            secretary_of(org_tree.cell_a1b),
            segment=morning,
            code=member.party_card_number,
            now=at(10, 7, 35),
        )

    assert (unknown.value.code, outside.value.code) == ("card_unknown", "card_unknown")
    assert unknown.value.message == outside.value.message
    assert member.full_name not in outside.value.message
    assert not CheckIn.objects.exists()


def test_a_card_of_ones_own_cell_not_on_the_list_is_named(org_tree, member_of, secretary, morning):
    stranger = member_of(org_tree.cell_a1a, full_name="Đỗ Văn Chưa Mời")
    Participant.objects.filter(user=stranger).delete()

    with pytest.raises(AttendanceError) as refused:
        services.check_in_member_card(
            secretary, segment=morning, code=stranger.party_card_number, now=at(10, 7, 35)
        )

    assert refused.value.code == "card_not_expected"
    assert "Đỗ Văn Chưa Mời" in refused.value.message


def test_door_page_and_profile_qr(client, secretary, member, morning):
    client.force_login(member)
    profile = client.get(reverse("members:profile")).content.decode()
    client.force_login(secretary)
    with time_machine.travel(at(10, 7, 36), tick=False):
        response = client.post(
            reverse("attendance:door", args=[morning.pk]), {"code": card_code(member.pk)}
        )

    assert "<svg" in profile
    assert response.status_code == 200 and "Đảng Viên Một" in response.content.decode()
    assert CheckIn.objects.get().participant.user == member
