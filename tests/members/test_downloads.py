"""Large exports prepared in the background (members.downloads): the registry, the run, the
worker thread of the embedded mode, the pages, who may fetch the file, and its retention."""

import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from members import downloads, permissions
from members.models import Download, QueuedTask, Role
from members.xlsx import PrintableSheet
from tests.factories import RoleAssignmentFactory

pytestmark = pytest.mark.django_db

ROWS = "test.rows"
BOOM = "test.boom"


def _rows(user, parameters, progress):
    """An organisation's name on as many rows as asked, progress reported after each."""
    from members.models import Organization

    org = Organization.objects.get(pk=parameters["organization"])
    out = PrintableSheet("Danh sách", widths=[6, 30])
    out.header(["STT", "Tên"])
    total = parameters["rows"]
    for number in range(1, total + 1):
        out.row([number, org.name])
        progress(number, total)
    return out.content(), total


def _boom(user, parameters, progress):
    progress(1, 2)
    raise RuntimeError("disk full")


def _org(parameters):
    from members.models import Organization

    return Organization.objects.filter(pk=parameters.get("organization")).first()


@pytest.fixture(autouse=True)
def test_kinds():
    for name, build in ((ROWS, _rows), (BOOM, _boom)):
        downloads.register(
            name, action=permissions.MEMBERS_VIEW_ORGANIZATION, target=_org, build=build
        )
    yield
    for name in (ROWS, BOOM):
        downloads.KINDS.pop(name, None)


@pytest.fixture
def secretary(org_tree, holder_of):
    return holder_of(Role.SECRETARY, org_tree.cell_a1a, org_tree.cell_a1a, full_name="Bí Thư")


def _ask(user, org, *, kind=ROWS, rows=3) -> Download:
    return downloads.request_download(
        user,
        kind=kind,
        parameters={"organization": org.pk, "rows": rows},
        title=f"Danh sách {org.name}",
        filename=f"danh-sach-{org.code}.xlsx",
    )


def _lines(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(line) for line in sheet.iter_rows(values_only=True)]


# --- The run ----------------------------------------------------------------------------------


def test_a_download_runs_and_keeps_its_file(org_tree, secretary):
    download = _ask(secretary, org_tree.cell_a1a, rows=3)

    downloads.run(download.pk)

    download.refresh_from_db()
    assert (download.status, download.progress, download.rows) == ("done", 100, 3)
    assert download.finished_at is not None and download.error == ""
    assert _lines(download.file.read()) == [
        ["STT", "Tên"],
        [1, "Chi bộ A1a"],
        [2, "Chi bộ A1a"],
        [3, "Chi bộ A1a"],
    ]
    assert download.file.name.startswith("downloads/") and "A1a" not in download.file.name


def test_progress_is_written_a_hundred_times_at_most_whatever_the_rows(
    org_tree, secretary, django_assert_max_num_queries
):
    download = _ask(secretary, org_tree.cell_a1a, rows=5000)
    seen = []
    progress = downloads.Progress(download.pk)
    Download.objects.filter(pk=download.pk).update(status="running")

    # one UPDATE per whole percent: 99, not 5,000 (and the test's own three reads)
    with django_assert_max_num_queries(99 + 3):
        for number in range(1, 5001):
            progress(number, 5000)
            if number in (50, 2500, 4999):
                seen.append(Download.objects.get(pk=download.pk).progress)

    assert seen == [1, 50, 99]


def test_a_crash_marks_the_download_failed_with_a_message(org_tree, secretary):
    download = _ask(secretary, org_tree.cell_a1a, kind=BOOM)

    downloads.run(download.pk)

    download.refresh_from_db()
    assert download.status == "failed" and download.finished_at is not None
    assert download.error.startswith("Không thể chuẩn bị tệp do có lỗi")
    assert download.progress == 50 and not download.file


def test_a_download_delivered_twice_runs_once(org_tree, secretary):
    download = _ask(secretary, org_tree.cell_a1a)
    downloads.run(download.pk)
    first = Download.objects.get(pk=download.pk).file.name

    downloads.run(download.pk)

    assert Download.objects.get(pk=download.pk).file.name == first


def test_permission_lost_before_the_run_fails_it(org_tree, secretary):
    download = _ask(secretary, org_tree.cell_a1a)
    secretary.memberships.all().delete()
    secretary.role_assignments.all().delete()

    downloads.run(download.pk)

    download.refresh_from_db()
    assert download.status == "failed"
    assert download.error == "Bạn không còn quyền xem nội dung của tệp này."


def test_a_stalled_download_is_shown_failed_and_may_be_asked_again(
    client, org_tree, secretary, settings
):
    settings.HOCTAP_DOWNLOAD_STALLED_MINUTES = 30
    download = _ask(secretary, org_tree.cell_a1a)
    Download.objects.filter(pk=download.pk).update(
        status="running", started_at=timezone.now() - timedelta(minutes=31)
    )
    client.force_login(secretary)

    page = client.get(reverse("members:download", args=[download.pk]))
    state = client.get(reverse("members:download-status", args=[download.pk])).json()
    again = client.post(reverse("members:download-again", args=[download.pk]), {"once": "a" * 32})

    assert "Tệp chưa được chuẩn bị xong đúng hạn" in page.content.decode()
    assert state == {"status": "failed", "progress": 0, "rows": 0, "finished": True}
    newest = Download.objects.exclude(pk=download.pk).get()
    assert again["Location"] == reverse("members:download", args=[newest.pk])
    assert (newest.kind, newest.parameters, newest.status) == (ROWS, download.parameters, "queued")


def test_asking_again_while_it_runs_gives_the_same_download(org_tree, secretary):
    first = _ask(secretary, org_tree.cell_a1a)

    second = _ask(secretary, org_tree.cell_a1a)

    assert second == first and Download.objects.count() == 1


# --- Where it runs ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_in_the_embedded_mode_it_runs_on_a_worker_thread_after_the_commit(org_tree, secretary):
    with transaction.atomic():
        download = _ask(secretary, org_tree.cell_a1a, rows=20)
        running_inside = [t.name for t in threading.enumerate() if t.name.startswith("download-")]

    worker = next(t for t in threading.enumerate() if t.name == f"download-{download.pk}")
    worker.join(timeout=30)

    assert running_inside == []  # nothing starts before the commit
    assert worker is not threading.current_thread() and not worker.is_alive()
    download.refresh_from_db()
    assert (download.status, download.rows) == ("done", 20)


@pytest.fixture
def with_broker():
    """A broker is configured (no eager shortcut) but refuses connections: the task waits in
    the outbox instead of running in the request."""
    from config.celery import app
    from members.tasks import _Broker

    def use(url, eager):
        app.conf.broker_url, app.conf.task_always_eager = url, eager
        app._pool = None
        app.amqp._producer_pool = None

    before = (app.conf.broker_url, app.conf.task_always_eager)
    use("redis://127.0.0.1:1/0", eager=False)
    yield
    use(*before)
    _Broker.down_until, _Broker.was_down = 0.0, False


def test_with_a_broker_it_is_a_celery_task(
    org_tree, secretary, with_broker, settings, django_capture_on_commit_callbacks
):
    settings.HOCTAP_REDIS_RETRY_SECONDS = 0

    with django_capture_on_commit_callbacks(execute=True):
        download = _ask(secretary, org_tree.cell_a1a)

    queued = QueuedTask.objects.get()
    assert queued.name == "members.tasks.run_download" and str(download.pk) in queued.arguments
    assert [t for t in threading.enumerate() if t.name == f"download-{download.pk}"] == []
    assert Download.objects.get(pk=download.pk).status == "queued"


# --- The pages and the file -------------------------------------------------------------------


def test_the_status_page_shows_a_progress_bar_then_the_link(client, org_tree, secretary):
    download = _ask(secretary, org_tree.cell_a1a)
    Download.objects.filter(pk=download.pk).update(status="running", progress=40)
    client.force_login(secretary)
    url = reverse("members:download", args=[download.pk])

    running = client.get(url).content.decode()
    state = client.get(reverse("members:download-status", args=[download.pk]))
    Download.objects.filter(pk=download.pk).update(status="queued")
    downloads.run(download.pk)
    done = client.get(url).content.decode()
    listed = client.get(reverse("members:downloads")).content.decode()

    assert '<progress id="download-progress" max="100" value="40">' in running
    assert "js/download.js" in running and 'http-equiv="refresh"' in running
    assert state.json() == {"status": "running", "progress": 40, "rows": 0, "finished": False}
    assert state["Cache-Control"].startswith("max-age=0")
    file_url = reverse("members:download-file", args=[download.pk])
    assert "<progress" not in done and file_url in done and "download.js" not in done
    assert "Danh sách Chi bộ A1a" in listed and file_url in listed


def test_the_file_goes_to_the_asker_with_its_name_and_type(client, org_tree, secretary):
    download = _ask(secretary, org_tree.cell_a1a)
    downloads.run(download.pk)
    client.force_login(secretary)

    answer = client.get(reverse("members:download-file", args=[download.pk]))

    assert answer.status_code == 200
    assert answer["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert answer["Content-Disposition"] == 'attachment; filename="danh-sach-A1a.xlsx"'
    assert _lines(b"".join(answer.streaming_content))[1] == [1, "Chi bộ A1a"]


def test_no_file_before_it_is_ready(client, org_tree, secretary):
    download = _ask(secretary, org_tree.cell_a1a)
    client.force_login(secretary)

    answer = client.get(reverse("members:download-file", args=[download.pk]))

    assert answer.status_code == 404


@pytest.mark.parametrize("who", ["superior", "superuser", "colleague"])
def test_anothers_download_is_not_found_whatever_their_roles(
    client, org_tree, secretary, holder_of, django_user_model, who
):
    download = _ask(secretary, org_tree.cell_a1a)
    downloads.run(download.pk)
    other = {
        "superior": lambda: holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc),
        "superuser": lambda: django_user_model.objects.create_superuser(
            email="root@example.vn", password="x", full_name="Quản Trị"
        ),
        "colleague": lambda: holder_of(Role.DEPUTY_SECRETARY, org_tree.cell_a1a),
    }[who]()
    client.force_login(other)

    answers = [
        client.get(reverse(name, args=[download.pk])).status_code
        for name in ("members:download", "members:download-status", "members:download-file")
    ]
    again = client.post(reverse("members:download-again", args=[download.pk]))
    listed = client.get(reverse("members:downloads")).content.decode()

    assert answers == [404, 404, 404] and again.status_code == 404
    assert "Chi bộ A1a" not in listed


def test_the_file_is_refused_once_the_permission_is_lost(client, org_tree, holder_of):
    board = holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_a)
    download = _ask(board, org_tree.cell_a1a)
    downloads.run(download.pk)
    client.force_login(board)
    before = client.get(reverse("members:download-file", args=[download.pk])).status_code
    board.role_assignments.all().delete()
    RoleAssignmentFactory(user=board, organization=org_tree.upper_b, role=Role.PROPAGANDA_OFFICER)

    after = client.get(reverse("members:download-file", args=[download.pk]))
    page = client.get(reverse("members:download", args=[download.pk]))

    assert (before, after.status_code, page.status_code) == (200, 404, 200)


@pytest.mark.parametrize("count", [1, 4])
def test_the_status_page_and_list_do_not_grow_with_downloads(
    client, org_tree, secretary, count, django_assert_max_num_queries
):
    for rows in range(1, count + 1):
        _ask(secretary, org_tree.cell_a1a, rows=rows)
    download = Download.objects.first()
    client.force_login(secretary)

    # session, user; the download (plus the menu's grants and notices on the pages)
    with django_assert_max_num_queries(3):
        client.get(reverse("members:download-status", args=[download.pk]))
    with django_assert_max_num_queries(8):
        client.get(reverse("members:download", args=[download.pk]))
    with django_assert_max_num_queries(8):
        listed = client.get(reverse("members:downloads"))

    assert len(listed.context["downloads"]) == count


# --- Retention --------------------------------------------------------------------------------


def test_old_files_are_deleted_after_the_retention(org_tree, secretary, settings):
    settings.HOCTAP_DOWNLOAD_RETENTION_DAYS = 7
    old, recent = _ask(secretary, org_tree.cell_a1a, rows=1), _ask(secretary, org_tree.cell_a1a)
    for download in (old, recent):
        downloads.run(download.pk)
    Download.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    old.refresh_from_db()
    storage, name = old.file.storage, old.file.name

    call_command("forget_old_downloads")

    assert list(Download.objects.all()) == [recent]
    assert not storage.exists(name)
    assert downloads.forget_old_downloads() == 0
