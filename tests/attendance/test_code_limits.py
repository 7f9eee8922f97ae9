"""Issue 10.4 and 10.11: the six-digit code cannot be guessed; the first login keeps the scan."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from attendance import tokens
from attendance.models import CheckIn
from members import services as member_services
from study import services as study_services
from tests.attendance.test_views import qr_path
from tests.factories import MembershipFactory, UserFactory
from tests.times import at

pytestmark = pytest.mark.django_db

NAT = {"REMOTE_ADDR": "203.0.113.7"}


def _type(client, code):
    return client.post(reverse("attendance:code"), {"code": code}, **NAT)


def _right_code(segment, moment):
    return tokens.short_code(segment.pk, None, "in", tokens.window_at(moment))


def _wrong_codes(segment, moment, count):
    right = _right_code(segment, moment)
    return [f"{n:06d}" for n in range(count + 1) if f"{n:06d}" != right][:count]


def test_ten_wrong_codes_lock_the_member_out_for_ten_minutes(client, member, morning):
    moment = at(10, 7, 50)
    client.force_login(member)
    with time_machine.travel(moment, tick=False):
        for code in _wrong_codes(morning, moment, 10):
            _type(client, code)
        locked = _type(client, _right_code(morning, moment))
    later = moment + timedelta(minutes=10, seconds=5)
    with time_machine.travel(later, tick=False):
        unlocked = _type(client, _right_code(morning, later))

    assert "quá nhiều" in locked.context["form"].errors["code"][0]
    assert unlocked.status_code == 200 and unlocked.context["result"].created
    assert CheckIn.objects.get().at == later


def test_a_few_typos_then_the_right_code_checks_in(client, member, morning):
    moment = at(10, 7, 50)
    client.force_login(member)
    with time_machine.travel(moment, tick=False):
        for code in _wrong_codes(morning, moment, 3):
            _type(client, code)
        right = _type(client, _right_code(morning, moment))

    assert right.context["result"].created


def test_a_hall_of_four_hundred_behind_one_address_types_in_the_same_minute(
    client, org_tree, secretary, spec_for
):
    hall = UserFactory.create_batch(400)
    for user in hall:
        MembershipFactory(user=user, organization=org_tree.cell_a1a)
    session = study_services.publish_session(
        secretary,
        session=study_services.create_session(secretary, spec=spec_for(org_tree.cell_a1a)),
    )
    morning = session.segments.get(name="Buổi sáng")
    moment = at(10, 7, 50)

    answers = []
    with time_machine.travel(moment, tick=False):
        code = _right_code(morning, moment)
        for user in hall:
            client.force_login(user)
            answers.append(_type(client, code).context.get("result") is not None)

    assert answers == [True] * 400
    assert CheckIn.objects.filter(segment=morning).count() == 400


def test_the_first_login_with_a_printed_password_keeps_the_scan(
    client, org_tree, secretary, member, morning
):
    [(_m, printed)] = member_services.issue_temporary_passwords(secretary, members=[member]).issued
    scanned = at(10, 7, 44)
    with time_machine.travel(scanned, tick=False):
        held = client.get(qr_path(morning, scanned))
    with time_machine.travel(at(10, 7, 47), tick=False):
        login = client.post(
            held["Location"], {"login": member.party_card_number, "password": printed}
        )
        forced = client.get(login["Location"])
        chosen = client.post(
            forced["Location"],
            {
                "oldpassword": printed,
                "password1": "Mat-khau-rieng-2026",
                "password2": "Mat-khau-rieng-2026",
            },
        )
        landed = client.get(chosen["Location"])

    assert forced["Location"].startswith(reverse("account_change_password"))
    assert chosen["Location"] == reverse("attendance:resume")
    assert landed.status_code == 200 and landed.context["result"].created
    assert CheckIn.objects.get().at == scanned


def test_an_expired_printed_password_does_not_log_in(client, secretary, member):
    [(_m, printed)] = member_services.issue_temporary_passwords(secretary, members=[member]).issued
    with time_machine.travel(member.date_joined + timedelta(days=30), tick=False):
        response = client.post(
            reverse("account_login"),
            {"login": member.party_card_number, "password": printed},
            follow=True,
        )

    assert "_auth_user_id" not in client.session
    assert "hết hạn" in response.content.decode()
