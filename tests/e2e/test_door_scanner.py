"""Issue 13.5: the door scanner reads a member's personal QR where the browser has no
BarcodeDetector (Safari on iPhone, desktop browsers): the bundled decoder reads the camera's
frames, or a photo where no live camera can be had."""

import shutil

import pytest
import qrcode
from playwright.sync_api import expect

from attendance.models import CheckIn
from members.cards import card_code
from members.models import User
from study.models import Segment
from tests.e2e.conftest import CHROMIUM_ARGS, PHONE
from tests.e2e.test_attendance import log_in, running_segment  # noqa: F401 -- a fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIDE = 480  # the fake camera's frame: square, even sides for 4:2:0


def qr_image(text: str):
    """The member's QR as a phone shows it, centred on a grey background like a photo."""
    from PIL import Image

    code = qrcode.make(text, box_size=8, border=4).convert("RGB")
    frame = Image.new("RGB", (SIDE, SIDE), (170, 170, 170))
    code.thumbnail((SIDE - 80, SIDE - 80))
    frame.paste(code, ((SIDE - code.width) // 2, (SIDE - code.height) // 2))
    return frame


def write_y4m(image, path, frames: int = 5) -> None:
    """A raw video Chromium plays as its fake camera (--use-file-for-fake-video-capture)."""
    y, cb, cr = image.convert("YCbCr").split()
    half = (image.width // 2, image.height // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{image.width} H{image.height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + planes)


def door_page(context, segment):
    page = context.new_page()
    page.goto("/accounts/login/")
    log_in(page, "09.100001")
    page.wait_for_url("**/")
    page.goto(f"/attendance/segments/{segment.pk}/door/")
    return page


@pytest.mark.usefixtures("running_segment")
def test_the_camera_reads_a_members_qr_with_the_bundled_decoder(live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    member = User.objects.get(party_card_number="09.100002")
    video = tmp_path / "camera.y4m"
    write_y4m(qr_image(card_code(member.pk)), video)
    camera = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), headless=True, args=CHROMIUM_ARGS + camera
        )
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, base_url=live_server.url
        )
        context.grant_permissions(["camera"])
        context.set_default_timeout(15_000)
        errors = []
        page = door_page(context, Segment.objects.get())
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))

        expect(page.locator("#camera")).to_be_visible()
        expect(page.locator("#camera")).to_have_attribute("data-decoder", "jsqr")
        expect(page.locator("#door-result")).to_contain_text("Đảng Viên Quét Mã")
        expect(page.locator("#door-result")).to_contain_text("09.100002")
        assert page.url.endswith("/door/")  # answered in place: the camera keeps running
        expect(page.locator("#camera")).to_be_visible()
        page.screenshot(path=str(tmp_path / "door.png"))
        browser.close()

    check_in = CheckIn.objects.get()
    assert (check_in.participant.user, check_in.method) == (member, "card")
    assert not errors


@pytest.mark.usefixtures("running_segment")
def test_a_photo_of_the_qr_is_read_where_no_camera_can_be_had(browser, live_server, tmp_path):
    member = User.objects.get(party_card_number="09.100002")
    photo = tmp_path / "qr.png"
    qr_image(card_code(member.pk)).save(photo)
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    page = door_page(context, Segment.objects.get())

    expect(page.locator("#photo-scan")).to_be_visible()  # headless: no camera device
    blank = tmp_path / "blank.png"
    qr_image("").crop((0, 0, 40, 40)).save(blank)
    page.set_input_files("#qr-photo", str(blank))
    expect(page.locator("#camera-state")).to_be_visible()  # "no attendance QR in this photo"
    page.set_input_files("#qr-photo", str(photo))

    expect(page.locator("#door-result")).to_contain_text("Đảng Viên Quét Mã")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
    assert CheckIn.objects.get().participant.user == member
