import pytest
from django.core.management import call_command

from members.models import Notice
from study.models import Document, Participant, StudySession

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_documents_and_sessions_once(mailoutbox):
    call_command("seed_demo", members_per_cell=3, stdout=None)
    first = (Document.objects.count(), StudySession.objects.count(), Participant.objects.count())

    call_command("seed_demo", members_per_cell=3, stdout=None)

    assert (
        Document.objects.count(),
        StudySession.objects.count(),
        Participant.objects.count(),
    ) == first
    assert Document.objects.filter(number="328-KL/ĐUK", type_code="KL", issuing_body="ĐUK").exists()
    bloc_wide = StudySession.objects.get(status=StudySession.Status.PUBLISHED)
    held = StudySession.objects.get(status=StudySession.Status.CLOSED)  # attendance.demo
    assert bloc_wide.participants.count() == held.participants.count() == first[2] / 2 > 100
    assert held.segments.first().check_ins.exists()
    assert StudySession.objects.filter(status=StudySession.Status.DRAFT).count() == 1
    assert Notice.objects.count() == 0  # demo history is recorded, not announced
    assert mailoutbox == []
