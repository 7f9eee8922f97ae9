"""Scans sent later (issue 16): what a device sends is not trusted. Times held for centuries
and bodies nested past Python's recursion limit get an answer, never a 500."""

import json

import pytest
import time_machine
from django.urls import reverse

from attendance.models import CheckIn, QueuedScan
from members.cards import card_code
from tests.times import at

pytestmark = pytest.mark.django_db


def _post_json(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_a_phone_scan_held_for_centuries_is_refused_as_too_late(client, member, morning):
    client.force_login(member)
    item = {"client_id": "client-ancient", "token": "x", "scanned_at": 0, "sent_at": 10**14}

    with time_machine.travel(at(10, 7, 45), tick=False):
        response = _post_json(
            client, reverse("attendance:offline-send"), json.dumps({"scans": [item]})
        )

    assert response.status_code == 200
    assert [r["state"] for r in response.json()["results"]] == ["refused"]
    assert QueuedScan.objects.get().state == "refused"
    assert not CheckIn.objects.exists()


def test_a_door_scan_held_for_centuries_is_refused_as_too_late(client, secretary, member, morning):
    client.force_login(secretary)
    item = {
        "client_id": "door-ancient",
        "code": card_code(member.pk),
        "scanned_at": 0,
        "sent_at": 10**14,
    }

    with time_machine.travel(at(10, 7, 45), tick=False):
        response = _post_json(
            client,
            reverse("attendance:door-queue", args=[morning.pk]),
            json.dumps({"scans": [item]}),
        )

    assert response.status_code == 200
    assert [r["state"] for r in response.json()["results"]] == ["refused"]
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("who", ["member", "secretary"])
def test_a_body_nested_too_deep_is_refused_not_a_500(client, request, who, morning):
    client.force_login(request.getfixturevalue(who))
    url = (
        reverse("attendance:offline-send")
        if who == "member"
        else reverse("attendance:door-queue", args=[morning.pk])
    )

    response = _post_json(client, url, '{"scans": ' + "[" * 100_000 + "]" * 100_000 + "}")

    assert response.status_code == 400
    assert response.json() == {"results": []}
    assert not QueuedScan.objects.exists()
