"""The board's exports that grow with the bloc go to the background above
HOCTAP_BACKGROUND_EXPORT_ABOVE members: the annual assessment of an organisation and the
periodic report. The file prepared there holds the rows of the direct download."""

import io
import threading

import pytest
from django.db import connection
from django.urls import reverse

from members import downloads
from members.models import Download, Role

pytestmark = pytest.mark.django_db

ONCE = "b" * 32


@pytest.fixture
def board(org_tree, holder_of, member_of):
    """The bloc's propaganda officer; five members across three cells."""
    for cell, names in (
        (org_tree.cell_a1a, ["Nguyễn Văn An", "Đỗ Thị Bình"]),
        (org_tree.cell_a1b, ["Trần Văn Cường", "Lê Thị Dung"]),
        (org_tree.cell_b, ["Phạm Văn Em"]),
    ):
        for name in names:
            member_of(cell, full_name=name)
    return holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc, full_name="Ban Tuyên Giáo")


def _table(content: bytes) -> list[list]:
    """The sheet from its header row down (the lines above carry the time of export)."""
    from openpyxl import load_workbook

    lines = [
        list(line)
        for line in load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(
            values_only=True
        )
    ]
    header = next(i for i, line in enumerate(lines) if line and line[0] in ("STT", "Chỉ tiêu"))
    return lines[header:]


def _direct(client, settings, url, query) -> bytes:
    settings.HOCTAP_BACKGROUND_EXPORT_ABOVE = 10_000
    answer = client.get(url, query)
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    return answer.content


def test_a_large_assessment_is_asked_for_then_prepared_with_the_direct_rows(
    client, org_tree, board, settings, django_capture_on_commit_callbacks
):
    settings.HOCTAP_BACKGROUND_EXPORT_ABOVE = 4
    client.force_login(board)
    url = reverse("oversight:assessment-xlsx", args=[org_tree.bloc.pk])

    asked = client.get(url, {"year": 2026})
    with django_capture_on_commit_callbacks() as started:
        posted = client.post(url, {"year": "2026", "once": ONCE})
    download = Download.objects.get()
    progress = []

    def watch(execute, sql, params, many, context):
        if sql.startswith("UPDATE") and '"progress"' in sql:
            progress.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        downloads.run(download.pk)  # what the worker thread or the Celery task does
    download.refresh_from_db()
    direct = _direct(client, settings, url, {"year": 2026})

    text = asked.content.decode()
    assert "Tệp này gồm 5 đảng viên" in text and 'name="year" value="2026"' in text
    assert posted["Location"] == reverse("members:download", args=[download.pk])
    assert len(started) == 1  # the worker starts once the request has committed
    assert (download.kind, download.parameters) == (
        "oversight.assessment",
        {"organization": org_tree.bloc.pk, "year": 2026},
    )
    assert download.title == "Đánh giá kết quả học tập năm 2026 · Đảng bộ Khối"
    assert (download.status, download.rows, download.filename) == (
        "done",
        5,
        "danh-gia-hoc-tap-2026-DUK.xlsx",
    )
    assert 2 <= len(progress) <= 101  # half once counted, then as the rows are written
    in_file = _table(download.file.read())
    assert in_file == _table(direct)
    assert [line[2] for line in in_file[1:6]] == ["Chi bộ A1a"] * 2 + ["Chi bộ A1b"] * 2 + [
        "Chi bộ B"
    ]


def test_a_large_report_is_prepared_with_the_direct_rows(
    client, org_tree, board, settings, django_capture_on_commit_callbacks
):
    settings.HOCTAP_BACKGROUND_EXPORT_ABOVE = 4
    client.force_login(board)
    url = reverse("oversight:report-xlsx", args=[org_tree.bloc.pk])
    query = {"kind": "year", "year": "2026", "number": "15-BC/BTGĐUK"}

    asked = client.get(url, query)
    with django_capture_on_commit_callbacks():
        client.post(url, {**query, "once": ONCE})
    download = Download.objects.get()
    downloads.run(download.pk)
    download.refresh_from_db()
    direct = _direct(client, settings, url, query)

    assert 'name="number" value="15-BC/BTGĐUK"' in asked.content.decode()
    assert download.parameters == {"organization": org_tree.bloc.pk, "query": query}
    assert (download.status, download.filename) == ("done", "bao-cao-hoc-tap-2026-DUK.xlsx")
    assert _table(download.file.read()) == _table(direct)


def test_a_double_submit_is_one_download(
    client, org_tree, board, settings, django_capture_on_commit_callbacks
):
    settings.HOCTAP_BACKGROUND_EXPORT_ABOVE = 4
    client.force_login(board)
    url = reverse("oversight:assessment-xlsx", args=[org_tree.bloc.pk])

    with django_capture_on_commit_callbacks():
        first = client.post(url, {"year": "2026", "once": ONCE})
        second = client.post(url, {"year": "2026", "once": ONCE})

    download = Download.objects.get()
    assert first["Location"] == second["Location"] == download.get_absolute_url()


def test_below_the_threshold_the_export_is_sent_at_once(client, org_tree, board, settings):
    settings.HOCTAP_BACKGROUND_EXPORT_ABOVE = 4
    client.force_login(board)

    answer = client.get(
        reverse("oversight:assessment-xlsx", args=[org_tree.upper_a.pk]), {"year": 2026}
    )

    assert answer["Content-Disposition"] == ('attachment; filename="danh-gia-hoc-tap-2026-A.xlsx"')
    assert Download.objects.count() == 0


def test_outside_ones_reach_there_is_no_export_to_ask_for(
    client, org_tree, holder_of, board, settings
):
    settings.HOCTAP_BACKGROUND_EXPORT_ABOVE = 0
    cousin = holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_b)
    client.force_login(cousin)
    url = reverse("oversight:assessment-xlsx", args=[org_tree.upper_a.pk])

    answers = [client.get(url).status_code, client.post(url, {"once": ONCE}).status_code]

    assert answers == [404, 404] and Download.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_in_the_embedded_mode_the_assessment_is_prepared_on_a_worker_thread(
    client, org_tree, board, settings
):
    settings.HOCTAP_BACKGROUND_EXPORT_ABOVE = 4
    client.force_login(board)

    posted = client.post(
        reverse("oversight:assessment-xlsx", args=[org_tree.bloc.pk]),
        {"year": "2026", "once": ONCE},
    )
    # Wait for the worker before touching the database here: the test database is SQLite in
    # memory with a shared cache, where a read in this thread locks the table the worker writes.
    worker = next(t for t in threading.enumerate() if t.name.startswith("download-"))
    worker.join(timeout=60)
    download = Download.objects.get()
    assert worker.name == f"download-{download.pk}"
    page = client.get(posted["Location"])
    state = client.get(reverse("members:download-status", args=[download.pk])).json()
    file = client.get(reverse("members:download-file", args=[download.pk]))

    assert worker is not threading.current_thread() and not worker.is_alive()
    assert state == {"status": "done", "progress": 100, "rows": 5, "finished": True}
    assert "danh-gia-hoc-tap-2026-DUK.xlsx" in page.content.decode()
    assert len(_table(b"".join(file.streaming_content))) == 1 + 5 + 4  # header, rows, totals
