"""Issue 16, measured: a member's phone (360 x 740) keeps a scan of the projector's code while
the network is down and sends it when the network is back; the door scanner queues the same
way. Each test prints how long the delivery took after the network returned."""

import contextlib
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from attendance import services, tokens
from attendance.models import CheckIn, QueuedScan
from members.models import User
from study.models import Segment
from tests.e2e.conftest import PHONE, offline_network
from tests.e2e.test_attendance import log_in, running_segment  # noqa: F401 -- a fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("HOCTAP_SCREENSHOTS") or tempfile.gettempdir()) / "offline-shots"
KEPT = ("Đã ghi nhận trên máy, sẽ gửi khi có mạng", "it will be sent when the network is back")


def _phone(browser, live_server):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN", base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    return context


def _logged_in(context, login):
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto("/accounts/login/")
    log_in(page, login)
    page.wait_for_url("**/")
    return page, errors


def _worker_ready(page):
    """The service worker registered by the page after the login, active and in control."""
    for _ in range(100):
        if page.evaluate("!!navigator.serviceWorker.controller"):
            return
        time.sleep(0.1)
        page.reload() if _ == 50 else None
    raise AssertionError("the service worker never took control")


def _until(found, seconds=30.0):
    """Seconds until `found()` is true (polling the database 20 times a second)."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if found():
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError("not delivered in time")


def _scan_offline(browser, live_server, segment, *, hold: float):
    """Log in, cut the network, open the projector's QR URL, wait `hold` seconds, restore the
    network: the page, when the scan was made, and how long the delivery took."""
    context = _phone(browser, live_server)
    page, errors = _logged_in(context, "09.100002")
    _worker_ready(page)
    url = "/a/" + tokens.make_token(segment.pk, None, "in", tokens.window_at(timezone.now())) + "/"

    offline_network(context, True)
    before = timezone.now()
    page.goto(url)
    after = timezone.now()
    print(f"\nthe service worker answered the scan in {(after - before).total_seconds():.2f} s")  # noqa: T201
    kept = page.locator("#offline-scan")
    expect(kept).to_be_visible()
    text = kept.inner_text()
    assert any(words in text for words in KEPT), text
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=SHOTS / "phone-kept.png")
    assert not QueuedScan.objects.exists()
    time.sleep(hold)
    assert not QueuedScan.objects.exists()  # nothing got through while offline

    offline_network(context, False)
    delivery = _until(QueuedScan.objects.exists)
    return context, page, errors, (before, after), delivery


@pytest.mark.usefixtures("running_segment")
def test_a_scan_made_offline_is_recorded_at_its_own_time(browser, live_server):
    context, page, errors, (before, after), delivery = _scan_offline(
        browser, live_server, Segment.objects.get(), hold=2
    )
    print(f"\nphone scan delivered {delivery:.2f} s after the network returned")  # noqa: T201 -- issue 16 asks for it

    expect(page.locator("#offline-scan")).to_have_attribute("data-state", "recorded")
    page.screenshot(path=SHOTS / "phone-recorded.png")
    check_in = CheckIn.objects.get()
    assert before - timedelta(seconds=1) <= check_in.at <= after + timedelta(seconds=1)
    assert check_in.participant.user.full_name == "Đảng Viên Quét Mã"
    assert QueuedScan.objects.get().state == "recorded"
    assert not [e for e in errors if "Failed to load resource" not in e]
    context.close()


@pytest.mark.usefixtures("running_segment")
def test_a_late_scan_waits_until_the_secretary_confirms_it(browser, live_server, monkeypatch):
    # Any scan held longer than this waits for the secretary (10 s in production): short here.
    monkeypatch.setattr(services, "QUEUED_ON_TIME", timedelta(seconds=1))
    segment = Segment.objects.get()
    context, page, _errors, (before, after), delivery = _scan_offline(
        browser, live_server, segment, hold=3
    )
    print(f"\nlate phone scan delivered {delivery:.2f} s after the network returned")  # noqa: T201 -- issue 16 asks for it

    expect(page.locator("#offline-scan")).to_have_attribute("data-state", "pending")
    page.screenshot(path=SHOTS / "phone-pending.png")
    assert not CheckIn.objects.exists()
    mine = context.new_page()
    mine.goto("/a/offline/")
    expect(mine.locator(".queued-pending")).to_be_visible()
    mine.screenshot(path=SHOTS / "phone-mine.png", full_page=True)

    desk = _phone(browser, live_server)
    sheet, _errors = _logged_in(desk, "09.100001")
    sheet.goto(f"/attendance/sessions/{segment.session_id}/sheet/")
    expect(sheet.locator("#queued-scans")).to_contain_text("Đảng Viên Quét Mã")
    sheet.locator("#queued-scans").screenshot(path=SHOTS / "sheet-pending.png")
    sheet.click("#confirm-right")
    expect(sheet.locator("#queued-scans")).to_have_count(0)

    check_in = CheckIn.objects.get()
    assert before - timedelta(seconds=1) <= check_in.at <= after + timedelta(seconds=1)
    assert check_in.recorded_by == User.objects.get(party_card_number="09.100001")
    assert QueuedScan.objects.get().state == "confirmed"
    desk.close()
    context.close()


@pytest.mark.usefixtures("running_segment")
def test_the_door_scanner_queues_without_network(browser, live_server):
    member = User.objects.get(party_card_number="09.100002")
    context = _phone(browser, live_server)
    page, _errors = _logged_in(context, "09.100001")
    _worker_ready(page)
    page.goto(f"/attendance/segments/{Segment.objects.get().pk}/door/")

    offline_network(context, True)
    before = timezone.now()
    page.fill("#id_code", member.party_card_number)
    page.click("#door-form button[type=submit]")
    after = timezone.now()
    expect(page.locator("#door-queue li")).to_have_count(1)
    # The page reloaded without network (a phone's browser drops a tab): kept, queue and all.
    page.reload()
    expect(page.locator("#door-queue li")).to_have_count(1)
    page.fill("#id_code", "99.999999")  # no such card: refused when it arrives
    page.click("#door-form button[type=submit]")
    expect(page.locator("#door-queue li")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=SHOTS / "door-queued.png", full_page=True)
    time.sleep(2)
    # Still waiting on the device. (The database is not asked here: now and then Chromium lets
    # a send made as the network went down reach the server with its answer lost, which is the
    # lost-answer case the client id covers; the checks below hold either way.)
    expect(page.locator("#door-queue li")).to_have_count(2)

    offline_network(context, False)
    delivery = _until(lambda: QueuedScan.objects.count() == 2)
    print(f"\ndoor queue of 2 delivered {delivery:.2f} s after the network returned")  # noqa: T201 -- issue 16 asks for it

    expect(page.locator("#door-sent")).to_be_visible()
    expect(page.locator("#door-queue")).to_be_hidden()
    expect(page.locator("#door-refused li")).to_have_count(1)
    expect(page.locator("#door-recorded li")).to_contain_text("Đảng Viên Quét Mã")
    page.screenshot(path=SHOTS / "door-sent.png", full_page=True)
    check_in = CheckIn.objects.get()
    assert check_in.participant.user == member
    assert before - timedelta(seconds=1) <= check_in.at <= after + timedelta(seconds=1)
    # Sent again (a retry whose answer was lost): nothing more.
    page.reload()
    expect(page.locator("#door-queue")).to_be_hidden()
    assert CheckIn.objects.count() == 1 and QueuedScan.objects.count() == 2
    context.close()


@pytest.mark.usefixtures("running_segment")
def test_a_scan_kept_on_a_closed_page_is_sent_by_background_sync_or_the_next_page_opened(
    browser, live_server
):
    segment = Segment.objects.get()
    context = _phone(browser, live_server)
    page, _errors = _logged_in(context, "09.100002")
    _worker_ready(page)
    url = "/a/" + tokens.make_token(segment.pk, None, "in", tokens.window_at(timezone.now())) + "/"
    offline_network(context, True)
    page.goto(url)
    expect(page.locator("#offline-scan")).to_be_visible()
    page.close()  # the member puts the phone away

    offline_network(context, False)
    waited = 3.0
    try:
        delivery = _until(QueuedScan.objects.exists, seconds=waited)
        how = "by Background Sync"
    except AssertionError:
        again = context.new_page()
        again.goto("/")  # the next page the member opens sends what the phone kept
        delivery = waited + _until(QueuedScan.objects.exists)
        how = "by the next page opened"
    print(f"\nkept scan delivered {how}, {delivery:.2f} s after the network returned")  # noqa: T201

    assert CheckIn.objects.get().participant.user.party_card_number == "09.100002"
    context.close()


@pytest.mark.usefixtures("running_segment")
def test_a_logged_out_browser_offline_no_longer_shows_the_kept_door_page(browser, live_server):
    context = _phone(browser, live_server)
    page, _errors = _logged_in(context, "09.100001")
    _worker_ready(page)
    door = f"/attendance/segments/{Segment.objects.get().pk}/door/"
    page.goto(door)
    expect(page.locator("#door-form")).to_be_visible()  # kept by the service worker now

    page.locator("form[action$='/logout/'] button").dispatch_event("click")
    expect(page.locator("#door-form")).to_have_count(0)
    page.goto("/accounts/login/")  # a page of nobody logged in: the kept pages go
    expect(page.locator("#id_login")).to_be_visible()
    time.sleep(1)
    offline_network(context, True)
    with contextlib.suppress(PlaywrightError):  # the browser's own offline error: nothing kept
        page.goto(door)

    assert page.locator("#door-form").count() == 0
    context.close()
