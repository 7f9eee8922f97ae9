"""Issue 11.5: a form submitted twice (double tap, retry, back button) creates one row."""

import re

import pytest
import time_machine
from django.urls import reverse

from attendance.models import ExcuseRequest
from essays import services as essay_services
from essays.models import Grade
from members.models import Role
from speakers.models import Speaker, Training
from study import services as study_services
from study.models import ActionItem, StudySession
from tests.essays.corpus import INDEPENDENT, PLAN
from tests.times import at

pytestmark = pytest.mark.django_db


def _key(page) -> str:
    return re.search(r'name="once" value="([0-9a-f]{32})"', page.content.decode()).group(1)


def _twice(client, url, data):
    first = client.post(url, data)
    second = client.post(url, data, follow=True)
    return first, second


@pytest.fixture
def secretary(org_tree, secretary_of):
    return secretary_of(org_tree.cell_a1a)


@pytest.fixture
def member(org_tree, member_of):
    return member_of(org_tree.cell_a1a, full_name="Đảng Viên Gửi Hai Lần")


@pytest.fixture
def session(org_tree, secretary, member, spec_for):
    spec = spec_for(org_tree.cell_a1a, essay_required=True, essay_deadline=at(20, 17))
    return study_services.publish_session(
        secretary, session=study_services.create_session(secretary, spec=spec)
    )


def test_a_session_form_sent_twice_schedules_one_session(client, org_tree, secretary):
    client.force_login(secretary)
    url = reverse("study:session-create")
    data = {
        "once": _key(client.get(url)),
        "title": "Hội nghị gửi hai lần",
        "organizer": org_tree.cell_a1a.pk,
        "audience": [org_tree.cell_a1a.pk],
        "mode": "in_person",
        "venue": "Hội trường",
        "starts_at": "2026-12-12T07:30",
        "ends_at": "2026-12-12T11:30",
        "segments-TOTAL_FORMS": "1",
        "segments-INITIAL_FORMS": "0",
        "segments-MIN_NUM_FORMS": "1",
        "segments-MAX_NUM_FORMS": "6",
        "segments-0-name": "Buổi sáng",
        "segments-0-starts_at": "2026-12-12T07:30",
        "segments-0-ends_at": "2026-12-12T11:30",
        "points-TOTAL_FORMS": "0",
        "points-INITIAL_FORMS": "0",
        "points-MIN_NUM_FORMS": "0",
        "points-MAX_NUM_FORMS": "50",
    }

    first, second = _twice(client, url, data)

    created = StudySession.objects.get(title="Hội nghị gửi hai lần")
    assert first.status_code == 302 and first["Location"] == created.get_absolute_url()
    assert second.redirect_chain[-1][0] == created.get_absolute_url()
    assert "already sent" in " ".join(str(m) for m in second.context["messages"]) or (
        "đã gửi" in " ".join(str(m) for m in second.context["messages"])
    )


def test_a_form_with_errors_keeps_its_key_for_the_corrected_one(client, org_tree, secretary):
    client.force_login(secretary)
    url = reverse("study:programme-create")
    key = _key(client.get(url))

    wrong = client.post(url, {"once": key, "organization": org_tree.cell_a1a.pk})
    from study.models import Document

    document = Document.objects.create(
        number="1-NQ/TW",
        serial=1,
        type_code="NQ",
        issuing_body="TW",
        issued_on="2026-01-01",
        title="Nghị quyết",
    )
    right = client.post(
        url,
        {
            "once": key,
            "organization": org_tree.cell_a1a.pk,
            "document": document.pk,
            "title": "Chương trình",
        },
    )

    assert wrong.status_code == 200 and right.status_code == 302


def test_an_excuse_sent_twice_is_one_request(client, member, session):
    client.force_login(member)
    url = reverse("attendance:excuse", args=[session.pk])

    _twice(client, url, {"once": _key(client.get(url)), "reason": "Đi công tác", "segment": ""})

    assert ExcuseRequest.objects.count() == 1


def test_an_action_item_sent_twice_is_one_item(client, org_tree, holder_of):
    from study.models import ActionProgramme, Document

    board = holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_a)
    document = Document.objects.create(
        number="2-NQ/TW",
        serial=2,
        type_code="NQ",
        issuing_body="TW",
        issued_on="2026-01-01",
        title="Nghị quyết",
    )
    programme = ActionProgramme.objects.create(
        organization=org_tree.upper_a, document=document, title="Chương trình", created_by=board
    )
    client.force_login(board)
    url = reverse("study:programme-detail", args=[programme.pk])
    data = {
        "once": _key(client.get(url)),
        "content": "Tổ chức học tập",
        "objective": "100% đảng viên",
        "solution": "Học trực tuyến",
        "deadline": "2027-03-31",
        "responsible": "Văn phòng",
    }

    _twice(client, url, data)

    assert ActionItem.objects.count() == 1


def test_a_grade_sent_twice_is_one_grade(client, secretary, member, session):
    with time_machine.travel(at(10, 18), tick=False):
        essay = essay_services.essay_for(member, session=session)
        essay = essay_services.save_draft(
            member, essay=essay, revision=essay.revision, sections=INDEPENDENT[0], plan=PLAN
        )
        essay = essay_services.submit_essay(member, essay=essay)
    client.force_login(secretary)
    url = reverse("essays:grade", args=[essay.pk])
    marks = {f"mark-{index}": "met" for index in range(3)}

    _twice(
        client,
        url,
        {
            "once": _key(client.get(url)),
            "level": "pass",
            "comment": "Tốt",
            "version": essay.revision,
            **marks,
        },
    )

    assert Grade.objects.count() == 1


def test_a_training_sent_twice_is_one_training(client, org_tree, holder_of):
    from speakers import services as speaker_services
    from speakers.services import SpeakerSpec

    board = holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_a)
    speaker = speaker_services.add_speaker(
        board,
        spec=SpeakerSpec(
            full_name="Báo Cáo Viên", organization=org_tree.upper_a, level=Speaker.Level.UPPER
        ),
    )
    client.force_login(board)
    page = client.get(reverse("speakers:detail", args=[speaker.pk]))
    url = reverse("speakers:training", args=[speaker.pk])

    _twice(
        client,
        url,
        {
            "once": _key(page),
            "course": "Bồi dưỡng báo cáo viên",
            "held_on": "2026-10-01",
            "hours": "16",
        },
    )

    assert Training.objects.count() == 1
