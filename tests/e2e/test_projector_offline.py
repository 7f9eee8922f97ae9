"""Issue 16.3 in the browser: the projector loses the network and the hall keeps scanning. Its
QR keeps changing to the codes it holds ahead, each in its own window; under the counter it
says the count is old and from when; a code shown during the blip checks a member in."""

import io
import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from attendance import tokens
from attendance.models import CheckIn
from members.models import Organization
from study import services as study_services
from study.services import SegmentSpec, SessionSpec
from tests.e2e.conftest import PHONE
from tests.factories import PASSWORD, MembershipFactory, RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROTATE = 4  # seconds: a minute of rotation in a quarter of the time
STALE = re.compile(r"(server|máy chủ).*\b(\d\d:\d\d:\d\d)\b", re.IGNORECASE)


@pytest.fixture
def hall(db, settings):
    settings.HOCTAP_QR_ROTATE_SECONDS = ROTATE
    cell = Organization.objects.add_root(
        create_kwargs={"name": "Chi bộ Mất Mạng", "code": "CB-MM", "kind": Organization.Kind.CELL}
    )
    secretary = UserFactory(party_card_number="09.160001", full_name="Bí Thư Máy Chiếu")
    member = UserFactory(party_card_number="09.160002", full_name="Đảng Viên Trong Hội Trường")
    for user in (secretary, member):
        MembershipFactory(user=user, organization=cell)
    RoleAssignmentFactory(user=secretary, organization=cell, role="secretary")
    now = timezone.now().replace(microsecond=0)
    spec = SessionSpec(
        title="Học tập Nghị quyết khi mạng yếu",
        organizer=cell,
        audience=[cell],
        venue="Hội trường tầng hầm",
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=3),
        segments=[SegmentSpec("Buổi sáng", now - timedelta(minutes=10), now + timedelta(hours=2))],
    )
    session = study_services.create_session(secretary, spec=spec)
    study_services.publish_session(secretary, session=session, announce=False)
    return session.segments.get()


def log_in(page, login):
    page.goto("/accounts/login/")
    page.fill("#id_login", login)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def open_projector(browser, live_server, segment):
    """The secretary's projector, with the first answer of its state (the codes ahead)."""
    desk = browser.new_context(base_url=live_server.url, viewport={"width": 1920, "height": 1080})
    desk.set_default_timeout(15_000)
    page = desk.new_page()
    log_in(page, "09.160001")
    with page.expect_response(lambda r: "projector.json" in r.url) as answer:
        page.goto(f"/attendance/segments/{segment.pk}/projector/")
    return desk, page, answer.value.json()


def shown_url(page):
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(page.locator("#qr").screenshot())))
    assert decoded, "the QR on the projector does not decode"
    return decoded[0].text


def token_of(url):
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


def test_through_a_blip_the_qr_keeps_changing_and_a_code_shown_offline_checks_a_member_in(
    browser, live_server, hall, settings, tmp_path
):
    settings.HOCTAP_PROJECTOR_AHEAD_SECONDS = 60
    desk, projector, first = open_projector(browser, live_server, hall)
    held = {code["url"] for code in first["ahead"]}
    assert len(held) == 60 // ROTATE
    phone_context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, base_url=live_server.url
    )
    phone = phone_context.new_page()
    log_in(phone, "09.160002")
    expect(projector.locator("#stale")).to_be_empty()

    desk.set_offline(True)
    cut = time.monotonic()
    clock = time.localtime()
    cut_at = clock.tm_hour * 3600 + clock.tm_min * 60 + clock.tm_sec
    shown = []  # (url, when it was read)
    while time.monotonic() - cut < 24:  # six windows without the network
        url = shown_url(projector)
        if not shown or shown[-1][0] != url:
            shown.append((url, timezone.now()))
        time.sleep(0.7)

    # The QR changed with every window, to codes held ahead, each good when it was shown.
    assert len(shown) >= 5, [url for url, _ in shown]
    assert {url for url, _ in shown[1:]} <= held
    for url, moment in shown:
        assert tokens.read_token(token_of(url), at=moment).segment_id == hall.pk
    # Under the counter: the count is old, and from when (the last answer, before the cut).
    notice = projector.locator("#stale")
    expect(notice).to_have_text(STALE)
    # The time of the projector's last answer: the cut came right after one (polled every 5 s
    # at most). The browser's clock and time zone are this machine's.
    hours, minutes, seconds = map(int, STALE.search(notice.inner_text()).group(2).split(":"))
    since = (cut_at - (hours * 3600 + minutes * 60 + seconds) + 1) % 86400 - 1
    assert -1 <= since <= 7, since
    projector.screenshot(path=tmp_path / "offline.png")

    # A member's phone (on mobile data) scans the code on the wall during the blip.
    url = shown_url(projector)
    assert url in held
    phone.goto(url)
    expect(phone.locator(".checkin.ok")).to_be_visible()
    assert CheckIn.objects.get().participant.user.full_name == "Đảng Viên Trong Hội Trường"
    expect(projector.locator("#checked-in")).to_have_text("0")  # it cannot know yet

    desk.set_offline(False)
    expect(projector.locator("#checked-in")).to_have_text("1", timeout=15_000)
    expect(notice).to_be_empty()
    phone_context.close()
    desk.close()


def test_when_the_codes_held_run_out_the_projector_shows_none_and_says_why(
    browser, live_server, hall, settings, tmp_path
):
    settings.HOCTAP_PROJECTOR_AHEAD_SECONDS = 2 * ROTATE
    desk, projector, first = open_projector(browser, live_server, hall)
    assert len(first["ahead"]) == 2

    desk.set_offline(True)
    # The last code held is shown through its window and the next (it is accepted then too);
    # after that none is good any more, and none is shown.
    expect(projector.locator("#qr")).to_be_hidden(timeout=6 * ROTATE * 1000)
    expect(projector.locator("#code-box")).to_be_hidden()
    expect(projector.locator("#stale")).to_have_text(STALE)
    assert re.search(r"run out|dùng hết", projector.locator("#stale").inner_text())
    projector.screenshot(path=tmp_path / "run-out.png")

    desk.set_offline(False)
    expect(projector.locator("#qr")).to_be_visible(timeout=15_000)
    assert shown_url(projector).startswith(live_server.url + "/a/")
    expect(projector.locator("#stale")).to_be_empty()
    desk.close()
