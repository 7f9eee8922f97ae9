"""Issue 12.5 in a real browser: the bloc's board opens the quarterly report from its dashboard,
prints it on A4 in the administrative layout (issuing body and number top left, the Party's name
and the place and date top right, the title centred, the signature bottom right, a 3 cm left
margin), and downloads it as .xlsx: the file, opened with openpyxl, holds the page's numbers."""

import io
import re
import unicodedata
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e import bloc_scene
from tests.e2e.conftest import outside_event_loop
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NUMBER = "27-BC/BTGĐUKKT"
A4 = (595.3, 841.9)  # points
CM = 72 / 2.54


def log_in(page, login):
    page.goto("/accounts/login/")
    page.fill("#id_login", login)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def number(text: str):
    """A figure as the page prints it ("25%", "+3", "-50 điểm %", "—") as the file holds it."""
    text = text.strip()
    if text == "—":
        return "—"
    return int(re.match(r"[+-]?\d+", text).group(0))


def table(locator) -> list[list[str]]:
    rows = locator.locator("tbody tr")
    return [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]


def under(rows: list[list], header: list[str]) -> list[list]:
    """The file's rows under the row that starts with `header`, down to the next blank row."""
    start = next(i for i, row in enumerate(rows) if [str(c) for c in row[: len(header)]] == header)
    found = []
    for row in rows[start + 1 :]:
        if not row or row[0] is None:
            break
        found.append(row)
    return found


def test_the_board_prints_the_quarterly_report_on_a4_and_its_xlsx_holds_the_same_numbers(
    browser, live_server, tmp_path
):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    scene = outside_event_loop(bloc_scene.build)
    if bloc_scene.too_early_in_the_quarter(scene.now):
        pytest.skip("today's session must be over and in this quarter: too early in it")
    quarter = (scene.now.month - 1) // 3 + 1
    desk = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="vi-VN"
    )
    desk.set_default_timeout(15_000)
    page = desk.new_page()
    log_in(page, bloc_scene.OFFICER)

    # From the bloc's dashboard to its report of this quarter, with a number and a place.
    page.goto("/oversight/")
    page.wait_for_url(f"**/oversight/organizations/{scene.bloc.pk}/")
    page.locator("main a", has_text="Báo cáo định kỳ").click()
    page.wait_for_url(f"**/oversight/organizations/{scene.bloc.pk}/report/**")
    form = page.locator("form.report-form")
    form.locator("select[name=kind]").select_option("quarter")
    form.locator("input[name=year]").fill(str(scene.now.year))
    form.locator("input[name=quarter]").fill(str(quarter))
    form.locator("input[name=number]").fill(NUMBER)
    form.locator("input[name=place]").fill("Hà Nội")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**quarter={quarter}**")
    document = page.locator("article.report-doc")
    expect(document.locator(".doc-number")).to_contain_text(NUMBER)
    expect(document.locator(".doc-date")).to_contain_text("Hà Nội")
    roman = ["I", "II", "III", "IV"][quarter - 1]
    expect(document.locator(".doc-title")).to_contain_text(f"quý {roman} năm {scene.now.year}")

    heading = {
        key: document.locator(selector).inner_text().strip()
        for key, selector in (
            ("issuer", ".doc-body"),
            ("number", ".doc-number"),
            ("party", ".doc-party"),
            ("date", ".doc-date"),
            ("title", ".doc-title span"),
            ("intro", ".doc-intro"),
        )
    }
    compare_header = document.locator("table.doc-compare").first.locator("th").all_inner_texts()
    comparisons = [table(t) for t in document.locator("table.doc-compare").all()]
    dropoff_header = document.locator("table.doc-dropoff th").all_inner_texts()
    dropoff = table(document.locator("table.doc-dropoff"))
    rows_header = document.locator("table.doc-rows th").first.inner_text().strip()
    by_organisation = table(document.locator("table.doc-rows"))
    # This quarter and the one before both had study: every block has figures and changes.
    assert len(comparisons) == 3 and all(comparisons)  # sessions, attendance, essays
    assert comparisons[0][0][1:] == ["1", "1", "0"]  # one session each quarter
    assert sorted(row[0] for row in by_organisation) == ["Đảng bộ Bộ Hai", "Đảng bộ Bộ Một"]
    assert [row[0] for row in dropoff] == ["Buổi sáng", "Buổi chiều"]

    # Printed: the controls and the site's bars go, the document keeps its layout on A4.
    page.emulate_media(media="print")
    for hidden in (".report-controls", "header.topbar", "footer.footer"):
        expect(page.locator(hidden)).to_be_hidden()
    issuer = document.locator(".doc-issuer").bounding_box()
    nation = document.locator(".doc-nation").bounding_box()
    title = document.locator(".doc-title").bounding_box()
    sign = document.locator(".doc-sign").bounding_box()
    recipients = document.locator(".doc-recipients").bounding_box()
    whole = document.bounding_box()
    middle = whole["x"] + whole["width"] / 2
    assert issuer["x"] + issuer["width"] <= nation["x"] and abs(issuer["y"] - nation["y"]) < 2
    assert abs(title["x"] + title["width"] / 2 - middle) < 2
    assert sign["x"] >= middle - 1 and recipients["x"] < middle
    assert abs(sign["y"] - recipients["y"]) < 2
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    (tmp_path / "report.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert 1 <= len(reader.pages) <= 4
    starts = []
    for sheet in reader.pages:
        assert (float(sheet.mediabox.width), float(sheet.mediabox.height)) == pytest.approx(
            A4, abs=1
        )
        sheet.extract_text(
            visitor_text=lambda text, cm, tm, _font, _size: (
                text.strip() and starts.append(tm[4] * cm[0] + tm[5] * cm[2] + cm[4])
            )
        )
    # Nothing printed in the 3 cm on the left or off the page on the right.
    assert min(starts) >= 3 * CM - 2 and max(starts) < A4[0] - 1.5 * CM
    # (the PDF's text comes in pieces around the accented letters: compared without spaces)
    text = "".join(unicodedata.normalize("NFC", p.extract_text()) for p in reader.pages)
    text = re.sub(r"\s+", "", text)
    for expected in ("ĐẢNG CỘNG SẢN VIỆT NAM", NUMBER, "Đảng bộ Bộ Một", "Đảng bộ Bộ Hai"):
        assert re.sub(r"\s+", "", expected) in text
    page.emulate_media(media="screen")

    # The .xlsx of the same report.
    with page.expect_download() as download:
        page.locator(".report-controls a", has_text="Tải về (.xlsx)").click()
    assert download.value.suggested_filename == (
        f"bao-cao-hoc-tap-{scene.now.year}-quy-{quarter}-DUKT.xlsx"
    )
    content = Path(download.value.path()).read_bytes()
    desk.close()

    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    lines = [list(line) for line in sheet.iter_rows(values_only=True)]
    cells = {str(c).strip() for line in lines for c in line if c is not None}
    for text in heading.values():
        assert counted(text) in {counted(c) for c in cells}, text
    blocks = []
    start = 0
    for _block in comparisons:
        found = under(lines[start:], compare_header)
        start = next(
            i for i in range(start, len(lines)) if lines[i][: len(found[0])] == found[0]
        ) + len(found)
        blocks.append([row[:4] for row in found])
    assert blocks == [
        [[row[0], *(number(v) for v in row[1:])] for row in block] for block in comparisons
    ]
    assert [row[:6] for row in under(lines, dropoff_header[:1])] == [
        [row[0], *(number(v) for v in row[1:])] for row in dropoff
    ]
    in_file = [[row[0], *row[2:]] for row in under(lines, [rows_header])]
    on_page = []
    for row in by_organisation:
        values = [row[0]]
        for cell in row[1:]:
            current, _newline, change = cell.partition("\n")
            values += [number(current), number(change)]
        on_page.append(values)
    assert [line[: len(on_page[0])] for line in in_file] == on_page


def counted(text: str) -> str:
    """The text with its spaces made single and the minute it was counted at left out: the page
    and the file are each counted when asked for, a minute may turn between the two."""
    return re.sub(r"\d\d:\d\d \d\d/\d\d/\d{4}", "(counted at)", " ".join(text.split()))
