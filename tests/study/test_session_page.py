"""The session page of a bloc-wide session stays light: its expected participants come a page of
a hundred at a time, with the same queries for one participant as for hundreds."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import Role
from study import services
from study.views import PARTICIPANT_PAGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(org_tree, secretary_of):
    return secretary_of(org_tree.cell_a1a, full_name="Bí Thư Chi Bộ")


def _session_expecting(org_tree, secretary, spec_for, member_of, others: int):
    for i in range(others):
        member_of(org_tree.cell_a1a, full_name=f"Đảng Viên {i:03d}")
    session = services.create_session(secretary, spec=spec_for(org_tree.cell_a1a))
    return services.publish_session(secretary, session=session, announce=False)


def _rows(html: str) -> int:
    return len(re.findall(r"/participants/\d+/remove/", html))


def test_session_page_queries_do_not_grow_with_the_participants(
    client, org_tree, holder_of, spec_for, member_of
):
    committee = holder_of(Role.SECRETARY, org_tree.committee_a1, full_name="Bí Thư Đảng Ủy")
    for i in range(PARTICIPANT_PAGE + 20):
        member_of(org_tree.cell_a1a, full_name=f"Đảng Viên {i:03d}")
    lone = member_of(org_tree.cell_a1b, full_name="Đảng Viên Một Mình")
    many, one = (
        services.publish_session(
            committee,
            session=services.create_session(committee, spec=spec_for(cell, title=title)),
            announce=False,
        )
        for cell, title in ((org_tree.cell_a1a, "Đông"), (org_tree.cell_a1b, "Một"))
    )
    client.force_login(committee)
    client.get(one.get_absolute_url())  # per-user caches filled once

    counts, pages = [], []
    for session in (one, many):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(session.get_absolute_url())
        assert response.status_code == 200
        counts.append(len(queries))
        pages.append(response)

    assert [p.context["participants"].paginator.count for p in pages] == [1, PARTICIPANT_PAGE + 20]
    assert [_rows(p.content.decode()) for p in pages] == [1, PARTICIPANT_PAGE]
    assert lone.full_name in pages[0].content.decode()
    # The list is one count and one slice, however long it is.
    assert counts[0] == counts[1] <= 24, counts


def test_a_long_list_pages_with_a_vietnamese_pager(
    client, org_tree, secretary, spec_for, member_of
):
    session = _session_expecting(org_tree, secretary, spec_for, member_of, PARTICIPANT_PAGE + 20)
    client.force_login(secretary)

    first = client.get(session.get_absolute_url()).content.decode()
    second = client.get(session.get_absolute_url() + "?page=2").content.decode()
    beyond = client.get(session.get_absolute_url() + "?page=99").content.decode()

    assert f"{PARTICIPANT_PAGE + 21} người dự kiến tham dự" in first
    assert "Trang 1/2" in first and 'href="?page=2#participants"' in first
    assert "Trang trước" not in first.split('id="participants"')[1]
    assert _rows(first) == PARTICIPANT_PAGE
    assert "Trang 2/2" in second and 'href="?page=1#participants"' in second
    assert _rows(second) == 21
    assert "Trang 2/2" in beyond  # a page past the end shows the last one


def test_a_short_list_has_no_pager(client, org_tree, secretary, spec_for, member_of):
    session = _session_expecting(org_tree, secretary, spec_for, member_of, 3)
    client.force_login(secretary)

    page = client.get(session.get_absolute_url()).content.decode()

    assert _rows(page) == 4
    assert "Trang 1/" not in page
