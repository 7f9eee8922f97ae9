"""Essays written in Word or PDF read as essays: split into the four sections at their headings
(matched loosely), tables kept in order, the page saying so when the text could not be split,
and the original file opened by its author and graders only."""

import io
import unicodedata

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from essays import sections, services
from essays.models import Essay
from members import uploads
from tests.essays.conftest import AFTER
from tests.essays.corpus import ORIGINAL
from tests.members import files

pytestmark = pytest.mark.django_db

PROPOSALS = ORIGINAL["proposals"] + " " + ORIGINAL["proposals"]  # over 30 words
PLAN_HEADER = ["Nội dung", "Mục tiêu", "Giải pháp", "Thời gian", "Người thực hiện"]
PLAN_ROW = ["Sổ theo dõi văn bản", "Không văn bản quá hạn", "Bảng tính chung", "Quý I", "Tôi"]


def word_essay(headings, *, table=True, heading_style=True) -> bytes:
    """A Word essay: a title, then each heading (a Heading 2 paragraph, or plain) and its text;
    the plan's items in a table with one paragraph after it."""
    understanding, relation, proposals, plan = headings
    document = Document()
    document.add_paragraph("BÀI THU HOẠCH")
    document.add_paragraph("Họ và tên: Đảng Viên Viết Bài")
    for heading, text in (
        (understanding, ORIGINAL["understanding"]),
        (relation, ORIGINAL["relation"]),
        (proposals, PROPOSALS),
    ):
        if heading_style:
            document.add_heading(heading, level=2)
        else:
            document.add_paragraph(heading)
        document.add_paragraph(text)
    if heading_style:
        document.add_heading(plan, level=2)
    else:
        document.add_paragraph(plan)
    if table:
        grid = document.add_table(rows=2, cols=5)
        for row, values in zip(grid.rows, (PLAN_HEADER, PLAN_ROW), strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    document.add_paragraph("Tôi cam kết thực hiện đúng kế hoạch trên.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


HEADINGS = (
    "I. NHẬN THỨC VỀ NỘI DUNG KẾT LUẬN",
    "II. LIÊN HỆ BẢN THÂN",
    "III. ĐỀ XUẤT, KIẾN NGHỊ",
    "IV. KẾ HOẠCH HÀNH ĐỘNG CỦA BẢN THÂN",
)


def attach(member, session, data: bytes, name: str = "thu-hoach.docx") -> Essay:
    essay = services.essay_for(member, session=session, now=AFTER)
    return services.attach_upload(member, essay=essay, upload=SimpleUploadedFile(name, data))


# --- Reading Word tables ------------------------------------------------------------------


def test_a_word_table_is_kept_row_by_row_in_its_place():
    data = word_essay(HEADINGS)

    text = uploads.extract_text(SimpleUploadedFile("a.docx", data), ".docx")

    lines = text.split("\n")
    plan = lines.index(HEADINGS[3])
    assert lines[plan + 1 : plan + 4] == [
        " | ".join(PLAN_HEADER),
        " | ".join(PLAN_ROW),
        "Tôi cam kết thực hiện đúng kế hoạch trên.",
    ]


def test_a_cell_of_several_paragraphs_is_one_cell_and_empty_cells_are_left_out():
    document = Document()
    document.add_paragraph("Trước bảng")
    grid = document.add_table(rows=1, cols=3)
    grid.cell(0, 0).text = "Dòng một"
    grid.cell(0, 0).add_paragraph("dòng hai")
    grid.cell(0, 2).text = "Cuối"
    document.add_paragraph("Sau bảng")
    buffer = io.BytesIO()
    document.save(buffer)

    text = uploads.extract_text(SimpleUploadedFile("a.docx", buffer.getvalue()), ".docx")

    assert text == "Trước bảng\nDòng một dòng hai | Cuối\nSau bảng"


def test_the_text_bound_counts_what_tables_hold(settings):
    settings.HOCTAP_UPLOAD_MAX_TEXT_CHARS = 500
    document = Document()
    document.add_paragraph("Mở đầu")
    grid = document.add_table(rows=6, cols=2)
    for cell in (c for row in grid.rows for c in row.cells):
        cell.text = "Kế hoạch cá nhân " * 3  # 51 characters, 612 in the table
    buffer = io.BytesIO()
    document.save(buffer)

    with pytest.raises(uploads.UploadError) as refused:
        uploads.extract_text(SimpleUploadedFile("a.docx", buffer.getvalue()), ".docx")

    assert refused.value.code == "too_much_text"


# --- Headings matched loosely -------------------------------------------------------------


def _text(headings) -> str:
    bodies = ["Hiểu nghị quyết.", "Việc của tôi.", "Tôi đề xuất sổ điện tử.", "Làm trong quý I."]
    lines = ["BÀI THU HOẠCH", "Đảng viên: Nguyễn Văn An"]
    for heading, body in zip(headings, bodies, strict=True):
        lines += [heading, body]
    return "\n".join(lines)


@pytest.mark.parametrize(
    "headings",
    [
        HEADINGS,
        ("1. Nhận thức", "2. Liên hệ", "3. Đề xuất", "4. Kế hoạch"),
        ("Phần 1: Nhận thức", "Phần 2: Liên hệ thực tiễn", "Phần 3 - Đề xuất", "Phần 4. Kế hoạch"),
        (
            "Phần thứ nhất. Những nội dung cơ bản",
            "Phần thứ hai. Liên hệ",
            "Phần thứ ba. Kiến nghị",
            "Phần thứ tư. Chương trình hành động",
        ),
        ("I- NHAN THUC", "II- LIEN HE BAN THAN", "III- DE XUAT", "IV- KE HOACH CA NHAN"),
        tuple(unicodedata.normalize("NFD", h) for h in HEADINGS),
        ("a) Nhận thức", "b) Liên hệ", "c) Đề xuất", "d) Kế hoạch hành động"),
        ("Thứ nhất, nhận thức", "Thứ hai, liên hệ", "Thứ ba: đề xuất", "Thứ tư. Kế hoạch"),
        ("I.NHẬN THỨC", "II.LIÊN HỆ", "III.ĐỀ XUẤT", "IV.KẾ HOẠCH"),
        ("What I understood", "How it relates to my work", "Proposals", "My personal action plan"),
    ],
    ids=[
        "roman",
        "arabic",
        "phan",
        "phan-thu",
        "no-diacritics",
        "decomposed",
        "letters",
        "thu-nhat",
        "no-space",
        "en",
    ],
)
def test_headings_are_matched_loosely(headings):
    read = sections.read(_text(headings))

    assert read.split
    assert read.preamble == "BÀI THU HOẠCH\nĐảng viên: Nguyễn Văn An"
    assert read.parts == {
        "understanding": "Hiểu nghị quyết.",
        "relation": "Việc của tôi.",
        "proposals": "Tôi đề xuất sổ điện tử.",
        "plan": "Làm trong quý I.",
    }


def test_a_heading_with_its_text_on_the_same_line():
    text = "\n".join(
        [
            "1. Nhận thức: tôi hiểu.",
            "2. Liên hệ: việc của tôi.",
            "3. Đề xuất: sổ.",
            "4. Kế hoạch: quý I.",
        ]
    )

    read = sections.read(text)

    assert read.parts == {
        "understanding": "tôi hiểu.",
        "relation": "việc của tôi.",
        "proposals": "sổ.",
        "plan": "quý I.",
    }


@pytest.mark.parametrize(
    "headings",
    [
        ("I. Nhận thức", "II. Liên hệ", "III. Đề xuất", "IV. Tổng kết"),  # no plan heading
        ("I. Liên hệ", "II. Nhận thức", "III. Đề xuất", "IV. Kế hoạch"),  # out of order
        (  # a long sentence that starts like a heading is text
            "I. Nhận thức",
            "Liên hệ với thực tế công tác của chi bộ trong năm qua cho thấy còn nhiều việc phải "
            "làm",
            "III. Đề xuất",
            "IV. Kế hoạch",
        ),
    ],
    ids=["missing", "out-of-order", "sentence"],
)
def test_text_without_the_four_headings_in_order_is_kept_whole(headings):
    text = _text(headings)

    read = sections.read(text)

    assert not read.split
    assert (read.parts, read.preamble, read.whole) == ({}, "", text)


def test_table_rows_show_as_a_table_among_the_paragraphs():
    text = "Trước\nA | B\nC | D\nSau\nE | F"

    assert sections.blocks(text) == [
        sections.Block(text="Trước"),
        sections.Block(rows=(("A", "B"), ("C", "D"))),
        sections.Block(text="Sau"),
        sections.Block(rows=(("E", "F"),)),
    ]


def test_a_table_row_is_never_a_heading():
    text = _text(("I. Nhận thức", "II. Liên hệ", "Đề xuất | Kế hoạch", "IV. Kế hoạch"))

    assert not sections.read(text).split


# --- The essay, its grader and its author -------------------------------------------------


def test_word_essay_with_headings_is_split_and_its_table_kept(member, session):
    essay = attach(member, session, word_essay(HEADINGS))

    text = sections.EssaySections(essay)

    assert text.split
    assert [(s.name, s.uploaded) for s in text.sections] == [
        ("understanding", ORIGINAL["understanding"]),
        ("relation", ORIGINAL["relation"]),
        ("proposals", PROPOSALS),
        (
            "plan",
            "\n".join(
                [
                    " | ".join(PLAN_HEADER),
                    " | ".join(PLAN_ROW),
                    "Tôi cam kết thực hiện đúng kế hoạch trên.",
                ]
            ),
        ),
    ]
    assert text.upload.preamble == "BÀI THU HOẠCH\nHọ và tên: Đảng Viên Viết Bài"
    assert not text.few_proposals


def test_plain_paragraph_headings_split_as_well(member, session):
    essay = attach(member, session, word_essay(HEADINGS, heading_style=False, table=False))

    text = sections.EssaySections(essay)

    assert text.split
    assert text.sections[3].uploaded == "Tôi cam kết thực hiện đúng kế hoạch trên."


def test_short_proposals_of_a_split_file_are_still_flagged(member, session):
    document = Document()
    for line in (*HEADINGS[:2], *[ORIGINAL["understanding"]] * 2, HEADINGS[2], "Không có."):
        document.add_paragraph(line)
    document.add_paragraph(HEADINGS[3])
    document.add_paragraph(ORIGINAL["relation"])
    buffer = io.BytesIO()
    document.save(buffer)
    essay = attach(member, session, buffer.getvalue())

    text = sections.EssaySections(essay)

    assert text.split and text.few_proposals


def test_pdf_essay_with_headings_is_split(member, session):
    lines = [
        "BAI THU HOACH",
        "I. NHAN THUC",
        "Qua hoc tap Ket luan 328 toi nhan thuc ro trach nhiem cua dang vien.",
        "II. LIEN HE BAN THAN",
        "Tai phong hanh chinh van ban con cham xu ly.",
        "III. DE XUAT",
        "De nghi chi bo xay dung so theo doi van ban dien tu trong quy mot.",
        "IV. KE HOACH HANH DONG",
        "So theo doi | Quy I | To van thu",
    ]
    content = b"BT /F1 12 Tf 72 780 Td 14 TL " + b" ".join(
        b"(" + line.encode("latin-1") + b") Tj T*" for line in lines
    )
    essay = attach(member, session, files.pdf_bytes([content + b" ET"]), name="bai.pdf")

    read = sections.read(essay.upload_text)

    assert read.split
    assert read.preamble == "BAI THU HOACH"
    assert read.parts["relation"] == "Tai phong hanh chinh van ban con cham xu ly."
    assert read.parts["plan"] == "So theo doi | Quy I | To van thu"


def grade_page(client, grader, essay):
    client.force_login(grader)
    return client.get(reverse("essays:grade", args=[essay.pk]))


def test_grader_reads_the_sections_and_no_false_short_proposals(client, member, session, secretary):
    essay = attach(member, session, word_essay(HEADINGS))
    essay = services.submit_essay(member, essay=essay, now=AFTER)

    page = grade_page(client, secretary, essay)
    body = page.content.decode()

    assert page.context["few_proposals"] is False
    assert 'data-split="yes"' in body
    assert body.count("data-section=") == 4
    assert 'data-section="whole"' not in body
    assert "".join(f"<td>{cell}</td>" for cell in PLAN_ROW) in body  # the plan, as a table
    assert reverse("essays:upload-file", args=[essay.pk]) in body


def test_grader_is_told_a_file_was_not_split(client, member, session, secretary):
    essay = attach(member, session, files.docx_bytes([files.ESSAY, files.ESSAY]))
    essay = services.submit_essay(member, essay=essay, now=AFTER)

    page = grade_page(client, secretary, essay)
    body = page.content.decode()

    assert page.context["few_proposals"] is False
    assert 'data-split="no"' in body
    assert body.count("data-section=") == 1 and 'data-section="whole"' in body
    # no empty headings: none of the four sections is shown when nothing was typed in them
    assert "<h2>Đề xuất cụ thể cho nhiệm vụ chính trị của đơn vị</h2>" not in body


def test_upload_page_says_whether_the_file_was_split(client, member, session):
    client.force_login(member)
    url = reverse("essays:upload", args=[session.pk])
    with time_machine.travel(AFTER, tick=False):
        split = client.post(
            url, {"file": SimpleUploadedFile("a.docx", word_essay(HEADINGS))}, follow=True
        )
        whole = client.post(
            url,
            {"file": SimpleUploadedFile("b.docx", files.docx_bytes([files.ESSAY] * 2))},
            follow=True,
        )

    assert [m.level_tag for m in split.context["messages"]] == ["success"]
    assert [str(m) for m in whole.context["messages"]] == [str(sections.NOT_SPLIT)]
    assert 'data-split="no"' in whole.content.decode()


# --- The original file ----------------------------------------------------------------------


def test_author_and_grader_open_the_original_file(client, member, session, secretary):
    data = word_essay(HEADINGS)
    essay = attach(member, session, data)
    services.submit_essay(member, essay=essay, now=AFTER)
    url = reverse("essays:upload-file", args=[essay.pk])

    downloads = {}
    for user in (member, secretary):
        client.force_login(user)
        response = client.get(url)
        downloads[user.pk] = (
            response.status_code,
            b"".join(response.streaming_content),
            response["Content-Disposition"],
        )

    assert downloads[member.pk] == downloads[secretary.pk]
    status, body, disposition = downloads[member.pk]
    assert (status, body) == (200, data)
    assert disposition.startswith("attachment;") and "thu-hoach.docx" in disposition


def test_nobody_else_opens_the_file(
    client, member, session, secretary, org_tree, member_of, secretary_of, holder_of
):
    from members.models import Role

    essay = attach(member, session, word_essay(HEADINGS))
    url = reverse("essays:upload-file", args=[essay.pk])
    deputy = holder_of(Role.DEPUTY_SECRETARY, org_tree.cell_a1a, cell=org_tree.cell_a1a)
    outsiders = [
        member_of(org_tree.cell_a1a),  # a member of the same cell
        secretary_of(org_tree.cell_a1b),  # the sibling cell's secretary
        secretary,  # the grader, while the essay is still a draft
        deputy,
    ]

    statuses = []
    for user in outsiders:
        client.force_login(user)
        statuses.append(client.get(url).status_code)
    services.submit_essay(member, essay=essay, now=AFTER)
    client.force_login(deputy)
    after_submit = client.get(url).status_code
    client.force_login(member_of(org_tree.cell_a1b))
    stranger = client.get(url).status_code

    assert statuses == [404, 404, 404, 404]
    assert (after_submit, stranger) == (200, 404)


def test_an_essay_without_a_file_has_none_to_open(client, member, session, write):
    essay = write(member, session, ORIGINAL)
    client.force_login(member)

    assert client.get(reverse("essays:upload-file", args=[essay.pk])).status_code == 404


def test_the_author_reads_the_submitted_file_as_sections(client, member, session):
    essay = attach(member, session, word_essay(HEADINGS))
    services.submit_essay(member, essay=essay, now=AFTER)
    client.force_login(member)

    with time_machine.travel(AFTER, tick=False):
        body = client.get(reverse("essays:write", args=[session.pk])).content.decode()

    assert reverse("essays:upload-file", args=[essay.pk]) in body
    assert 'data-split="yes"' in body
    assert body.count("data-section=") == 4
