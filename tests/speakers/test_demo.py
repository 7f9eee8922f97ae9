import pytest
from django.core.management import call_command
from django.utils import timezone

from speakers import queries
from speakers.models import Speaker, Talk

pytestmark = pytest.mark.django_db


def test_demo_roster_shows_in_the_health_view_and_is_seeded_once():
    call_command("seed_demo", members_per_cell=3, stdout=None)
    call_command("seed_demo", members_per_cell=3, stdout=None)
    from members.models import User

    board = User.objects.get(email="tuyengiao@demo.hoctap.vn")

    health = queries.health(board, today=timezone.localdate())

    assert Speaker.objects.count() == 3 and Talk.objects.count() == 1
    assert [s.full_name for s in health.term_ending] == ["Nguyễn Văn Tuyên"]
    assert [s.full_name for s in health.missing_data] == ["Lê Minh Báo"]
