"""Issue 12, point 6, in a real browser: the board asks for the annual assessment of a bloc
larger than HOCTAP_BACKGROUND_EXPORT_ABOVE, sees the progress bar while the worker thread of
the embedded mode has it in its queue, then downloads the file."""

import io
from pathlib import Path

import pytest
from django.utils import timezone

from members import downloads
from members.models import Organization, Role
from tests.e2e.conftest import outside_event_loop
from tests.factories import PASSWORD, MembershipFactory, RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OFFICER = "09.100001"
MEMBERS = [
    ("Chi bộ Một", "Nguyễn Văn An"),
    ("Chi bộ Một", "Đỗ Thị Bình"),
    ("Chi bộ Hai", "Lê Cường"),
]


def _scene():
    add = Organization.objects.add_child
    bloc = Organization.objects.add_root(
        create_kwargs={"name": "Đảng bộ Khối", "code": "DUK", "kind": "bloc_committee"}
    )
    upper = add(
        Organization.objects.get(pk=bloc.pk),
        create_kwargs={"name": "Đảng bộ Bộ Một", "code": "B1", "kind": "upper_committee"},
    )
    cells = {
        name: add(
            Organization.objects.get(pk=upper.pk),
            create_kwargs={"name": name, "code": code, "kind": "cell"},
        )
        for name, code in (("Chi bộ Một", "CB1"), ("Chi bộ Hai", "CB2"))
    }
    for number, (cell, name) in enumerate(MEMBERS, start=2):
        MembershipFactory(
            user=UserFactory(party_card_number=f"09.1{number:05d}", full_name=name),
            organization=cells[cell],
        )
    officer = UserFactory(party_card_number=OFFICER, full_name="Ban Tuyên Giáo Khối")
    RoleAssignmentFactory(user=officer, organization=bloc, role=Role.PROPAGANDA_OFFICER)
    return bloc


def test_the_board_gets_a_large_assessment_through_the_progress_bar(browser, live_server, settings):
    from openpyxl import load_workbook

    settings.HOCTAP_BACKGROUND_EXPORT_ABOVE = 2
    year = timezone.localdate().year
    bloc = outside_event_loop(_scene)
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_login", OFFICER)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")

    # The embedded mode's worker is busy with another export: this one waits its turn.
    busy = downloads._worker_slots()
    busy.acquire()
    try:
        page.goto(f"/oversight/organizations/{bloc.pk}/assessment/?year={year}")
        page.locator(f"main a[href^='/oversight/organizations/{bloc.pk}/assessment.xlsx']").click()
        page.wait_for_url(f"**/oversight/organizations/{bloc.pk}/assessment.xlsx?year={year}")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/downloads/*/")
        bar = page.locator("progress#download-progress")
        bar.wait_for()
        waiting = page.locator("#download-state").inner_text()
    finally:
        busy.release()
    link = page.locator("a#download-link")  # download.js sees it done and reloads the page
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    name = download.value.suggested_filename
    content = Path(download.value.path()).read_bytes()
    context.close()

    assert waiting  # "waiting for its turn", in the page's language
    assert name == f"danh-gia-hoc-tap-{year}-DUK.xlsx"
    lines = [
        list(line)
        for line in load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(
            values_only=True
        )
    ]
    header = next(i for i, line in enumerate(lines) if line[0] == "STT")
    listed = [(line[2], line[1]) for line in lines[header + 1 : header + 1 + len(MEMBERS)]]
    assert sorted(listed) == sorted(MEMBERS)
