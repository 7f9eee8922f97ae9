"""Issue 13.5: the secretary's attendance sheet. Marking a row comes back at that row, card
numbers tell namesakes apart, an organisation is named once (not under each of its members),
and the share that stayed to the last segment is no 0 % before that segment began."""

import re

import pytest
import time_machine
from django.urls import reverse

from attendance import services
from study import services as study_services
from tests.times import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(client, settings):
    """The page's texts are read in English (asked for with the language cookie)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def sheet(client, session, moment=None, **query):
    with time_machine.travel(moment or at(10, 9), tick=False):
        return client.get(reverse("attendance:sheet", args=[session.pk]), query)


def table_of(response) -> str:
    return response.content.decode().split('<table class="sheet">', 1)[1].split("</table>")[0]


def test_marking_a_row_comes_back_at_that_row_on_the_same_page(
    client, org_tree, secretary, member_of, member, morning, session
):
    for n in range(101):
        study_services.add_participant(
            secretary, session=session, user=member_of(org_tree.cell_a1a, full_name=f"Zz {n:03}")
        )
    last = session.participants.get(user__full_name="Zz 100")
    client.force_login(secretary)
    second_page = sheet(client, session, page=2, org=org_tree.cell_a1a.pk)
    form = table_of(second_page).split(f'id="row-{last.pk}"', 1)[1].split("</form>")[0]

    marked = client.post(
        reverse("attendance:mark", args=[session.pk]),
        {
            "participant": last.pk,
            "segment": morning.pk,
            "status": "present",
            "reason": "Quên điện thoại",
            **dict(re.findall(r'name="(org|page)" value="(\d+)"', form)),
        },
    )
    refused = client.post(
        reverse("attendance:mark", args=[session.pk]),
        {"participant": last.pk, "segment": morning.pk, "status": "present", "page": "2"},
    )

    back = f"{reverse('attendance:sheet', args=[session.pk])}?org={org_tree.cell_a1a.pk}&page=2"
    assert marked.status_code == 302 and marked["Location"] == f"{back}#row-{last.pk}"
    landed = client.get(marked["Location"].split("#")[0])
    assert f'id="row-{last.pk}"' in landed.content.decode()
    assert refused["Location"].endswith(f"?page=2#row-{last.pk}")  # no reason: same place


def test_card_numbers_tell_namesakes_apart(client, org_tree, secretary, member_of, session):
    for card in ("08.000101", "08.000102"):
        study_services.add_participant(
            secretary,
            session=session,
            user=member_of(org_tree.cell_a1a, full_name="Nguyễn Văn An", party_card_number=card),
        )
    client.force_login(secretary)

    rows = [
        row for row in table_of(sheet(client, session)).split("<tr id=") if "Nguyễn Văn An" in row
    ]

    assert len(rows) == 2
    assert "08.000101" in rows[0] and "08.000102" in rows[1]


def test_a_one_cell_session_names_its_cell_once(client, org_tree, secretary, member_of, session):
    for _ in range(3):
        study_services.add_participant(
            secretary, session=session, user=member_of(org_tree.cell_a1a)
        )
    client.force_login(secretary)

    table = table_of(sheet(client, session))

    assert table.count("<tr id=") == 5
    assert table.count("Chi bộ A1a") == 1


def test_a_session_of_several_cells_names_each_once_above_its_members(
    client, org_tree, holder_of, member_of, spec_for
):
    from members.models import Role

    officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.committee_a1)
    for cell in (org_tree.cell_a1a, org_tree.cell_a1b):
        for _ in range(2):
            member_of(cell)
    session = study_services.create_session(
        officer,
        spec=spec_for(org_tree.committee_a1, audience=[org_tree.cell_a1a, org_tree.cell_a1b]),
    )
    study_services.publish_session(officer, session=session)
    client.force_login(officer)  # an officer above the cell: no travel past the idle timeout

    table = table_of(client.get(reverse("attendance:sheet", args=[session.pk])))

    assert table.count("<tr id=") == 4
    assert table.count("Chi bộ A1a") == table.count("Chi bộ A1b") == 1
    assert table.index("Chi bộ A1a") < table.index("Chi bộ A1b")


def test_retention_is_not_zero_before_the_last_segment_began(
    client, secretary, member, morning, session
):
    services.check_in_member_card(
        secretary, segment=morning, code=member.party_card_number, now=at(10, 7, 40)
    )
    client.force_login(secretary)

    before = sheet(client, session, at(10, 11, 0))  # the afternoon begins at 13:30
    after = sheet(client, session, at(10, 14, 0))

    assert before.context["sheet"].retention is None
    stats = before.content.decode().split('<section class="stats">', 1)[1].split("</section>")[0]
    assert "0%" not in stats
    assert "known once Buổi chiều begins" in stats and "<b>—</b>" in stats
    assert after.context["sheet"].retention == 0
    assert "<b>0%</b>" in after.content.decode()


def test_the_live_board_waits_for_the_last_segment_too(client, secretary, member, morning, session):
    services.check_in_member_card(
        secretary, segment=morning, code=member.party_card_number, now=at(10, 7, 40)
    )
    client.force_login(secretary)

    with time_machine.travel(at(10, 11, 0), tick=False):
        before = client.get(reverse("attendance:live", args=[session.pk]))
    with time_machine.travel(at(10, 14, 0), tick=False):
        after = client.get(reverse("attendance:live", args=[session.pk]))

    assert before.context["board"].retention is None
    stats = before.content.decode().split('<section class="stats">', 1)[1].split("</section>")[0]
    assert "0%" not in stats and "known once Buổi chiều begins" in stats
    assert after.context["board"].retention == 0
