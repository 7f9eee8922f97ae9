"""The editor's conflict answer: a stale copy gets the saved copy back, and a refused submit
leaves the page on the copy it saved."""

import re

import pytest
import time_machine
from django.urls import reverse

from essays.models import Essay, EssayVersion
from tests.essays.conftest import AFTER
from tests.essays.corpus import INDEPENDENT, ORIGINAL, PLAN
from tests.essays.test_views import form_data

pytestmark = pytest.mark.django_db


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}"(?: value="([^"]*)")?', html).group(1) or ""


def box(html: str, element_id: str) -> str:
    """The text of a textarea on the page."""
    return re.search(
        rf'<textarea[^>]*id="{element_id}"[^>]*>\n?(.*?)</textarea>', html, re.S
    ).group(1)


def test_a_stale_autosave_is_answered_with_the_saved_copy_then_the_member_keeps_theirs(
    client, member, session
):
    client.force_login(member)
    url = reverse("essays:autosave", args=[session.pk])
    with time_machine.travel(AFTER, tick=False):
        client.get(reverse("essays:write", args=[session.pk]))
        client.post(url, form_data(ORIGINAL, 0))  # another tab saves first
        stale = client.post(url, form_data(INDEPENDENT[0], 0))
        answer = stale.json()
        kept = client.post(
            url,
            form_data(
                INDEPENDENT[0],
                0,
                settles=answer["settles"],
                saved_revision=answer["saved"]["revision"],
            ),
        )

    assert stale.status_code == 409
    assert answer["code"] == "stale_copy" and "bản mới hơn" in answer["error"]
    assert answer["saved"]["revision"] == 1
    assert answer["saved"]["fields"]["understanding"] == ORIGINAL["understanding"]
    assert answer["saved"]["fields"]["plan-0-content"] == PLAN[0]["content"]
    assert answer["settles"] == EssayVersion.objects.get(kind="refused").pk
    assert kept.status_code == 200 and kept.json()["revision"] == 2
    essay = Essay.objects.get()
    assert essay.understanding == INDEPENDENT[0]["understanding"]
    assert (
        essay.versions.get(kind="replaced").sections["understanding"] == (ORIGINAL["understanding"])
    )


def test_a_refused_submit_leaves_the_page_on_the_revision_it_saved(client, member, session):
    client.force_login(member)
    page = reverse("essays:write", args=[session.pk])
    with time_machine.travel(AFTER, tick=False):
        client.get(page)
        refused = client.post(page, form_data({**ORIGINAL, "proposals": ""}, 0, submit="1"))
        html = refused.content.decode()
        completed = client.post(
            page, form_data(ORIGINAL, int(hidden(html, "revision")), submit="1")
        )

    assert "Hãy viết phần “Đề xuất cụ thể" in html and "Đã lưu bản nháp" in html
    assert hidden(html, "revision") == "1"  # the draft was saved as revision 1 before the refusal
    assert completed.status_code == 302  # not refused as an older copy
    assert Essay.objects.get().status == Essay.Status.SUBMITTED


def test_reopened_after_a_refused_copy_the_page_shows_both_and_can_take_the_saved_one(
    client, member, session
):
    client.force_login(member)
    page = reverse("essays:write", args=[session.pk])
    url = reverse("essays:autosave", args=[session.pk])
    with time_machine.travel(AFTER, tick=False):
        client.get(page)
        client.post(url, form_data(ORIGINAL, 0))
        client.post(url, form_data(INDEPENDENT[0], 0))  # a phone's copy, refused; then it died
        reopened = client.get(page).content.decode()
        # Without the script: the member takes the saved copy with the form's own button.
        taken = client.post(
            page,
            form_data(
                INDEPENDENT[0],
                int(hidden(reopened, "revision")),
                settles=hidden(reopened, "settles"),
                saved_revision=hidden(reopened, "saved_revision"),
                keep="saved",
            ),
        )
        after = client.get(page).content.decode()

    assert 'id="essay-conflict"' in reopened and 'data-saved="" hidden' not in reopened
    assert box(reopened, "id_understanding") == INDEPENDENT[0]["understanding"]  # theirs
    assert box(reopened, "saved-understanding") == ORIGINAL["understanding"]  # the saved one
    assert taken.status_code == 302
    essay = Essay.objects.get()
    assert essay.understanding == ORIGINAL["understanding"]
    assert not essay.versions.waiting().exists()
    assert 'data-saved="" hidden' in after
