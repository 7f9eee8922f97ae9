"""Issue 11.8: speaker records tell the truth: who may rate, and a roster that goes back in."""

from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attendance import services as attendance_services
from members.models import User
from speakers import services
from speakers.models import Speaker
from tests.times import at

pytestmark = pytest.mark.django_db


def test_a_listener_who_did_not_attend_is_told_before_the_rating_form(
    client, board, speaker_of, session_of
):
    session = session_of()
    morning = session.segments.get(name="Buổi sáng")
    services.assign_talk(
        board, speaker=speaker_of(), session=session, topic="KL 328", segment=morning
    )
    listener = User.objects.get(full_name="Đảng Viên Có Sẵn")
    client.force_login(listener)

    with time_machine.travel(at(10, 18), tick=False):
        before = client.get(reverse("speakers:feedback", args=[session.pk]))
        attendance_services.check_in_member_card(
            board, segment=morning, code=listener.party_card_number, now=at(10, 7, 40)
        )
        after = client.get(reverse("speakers:feedback", args=[session.pk]))

    assert "không được ghi nhận là đã dự" in before.content.decode()
    assert 'name="talk"' not in before.content.decode()
    assert 'name="talk"' in after.content.decode()


def test_the_roster_export_imports_back_unchanged(client, org_tree, board, speaker_of, member_of):
    linked = member_of(org_tree.cell_a1a, full_name="Báo Cáo Viên Có Thẻ", party_card_number="07.1")
    speaker_of(full_name="Báo Cáo Viên Có Thẻ", user=linked)
    speaker_of(full_name="Báo Cáo Viên Khác", decision_number="")
    client.force_login(board)
    exported = client.get(reverse("speakers:export"))

    preview = services.preview_roster_import(
        board,
        upload=SimpleUploadedFile(
            "doi-ngu.xlsx",
            BytesIO(exported.content).getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    )

    assert preview.problems == []
    assert (preview.to_create, preview.to_update) == (0, 2)
    created, updated = services.apply_roster_import(board, roster_import=preview.roster_import)
    assert (created, updated) == (0, 2)
    assert Speaker.objects.get(full_name="Báo Cáo Viên Có Thẻ").user == linked
