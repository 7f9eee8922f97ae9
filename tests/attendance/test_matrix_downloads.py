"""The members-by-sessions sheet of a bloc-wide session goes to the background above
HOCTAP_BACKGROUND_EXPORT_ABOVE members (members.downloads): the file prepared there holds the
rows of the direct download."""

from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from attendance import services, tokens
from members import downloads
from members.models import Download, Role
from study import services as study_services
from tests.times import at

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-12-01", "end": "2026-12-31"}


def _table(content: bytes) -> list[list]:
    lines = [list(r) for r in load_workbook(BytesIO(content)).active.iter_rows(values_only=True)]
    return lines[next(i for i, line in enumerate(lines) if line[0] == "STT") :]


def test_a_bloc_wide_sessions_matrix_is_prepared_in_the_background_with_the_direct_rows(
    client, org_tree, member_of, holder_of, spec_for, settings, django_capture_on_commit_callbacks
):
    board = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc, full_name="Ban Tuyên Giáo")
    people = [
        member_of(cell, full_name=name)
        for cell, name in (
            (org_tree.cell_a1a, "Nguyễn Văn An"),
            (org_tree.cell_a1b, "Trần Thị Bình"),
            (org_tree.cell_b, "Lê Văn Cường"),
        )
    ]
    session = study_services.publish_session(
        board, session=study_services.create_session(board, spec=spec_for(org_tree.bloc))
    )
    morning = session.segments.get(name="Buổi sáng")
    moment = at(10, 7, 40)
    token = tokens.make_token(morning.pk, None, "in", tokens.window_at(moment))
    services.check_in_with_token(people[0], token=token, scanned_at=moment, now=moment)
    settings.HOCTAP_BACKGROUND_EXPORT_ABOVE = 2
    query = {"organization": org_tree.bloc.pk, **PERIOD}
    url = reverse("attendance:matrix")

    with time_machine.travel(at(11, 8), tick=False):
        client.force_login(board)
        asked = client.get(url, query)
        with django_capture_on_commit_callbacks() as started:
            posted = client.post(url, {**query, "once": "c" * 32})
        download = Download.objects.get()
        downloads.run(download.pk)
        settings.HOCTAP_BACKGROUND_EXPORT_ABOVE = 10_000
        direct = client.get(url, query)
    download.refresh_from_db()

    assert "Tệp này gồm 3 đảng viên" in asked.content.decode()
    assert posted["Location"] == download.get_absolute_url() and len(started) == 1
    assert (download.kind, download.parameters) == (
        "attendance.matrix",
        {"organization": org_tree.bloc.pk, **PERIOD},
    )
    assert (download.status, download.rows, download.filename) == (
        "done",
        3,
        "hoc-tap-DUK-20261201.xlsx",
    )
    in_file = _table(download.file.read())
    assert in_file == _table(direct.content)
    assert sorted(line[1] for line in in_file[1:]) == [
        "Lê Văn Cường",
        "Nguyễn Văn An",
        "Trần Thị Bình",
    ]


def test_below_the_threshold_the_matrix_is_sent_at_once(client, org_tree, secretary, settings):
    settings.HOCTAP_BACKGROUND_EXPORT_ABOVE = 2
    client.force_login(secretary)

    answer = client.get(
        reverse("attendance:matrix"), {"organization": org_tree.cell_a1a.pk, **PERIOD}
    )

    assert answer["Content-Disposition"] == 'attachment; filename="hoc-tap-A1a-20261201.xlsx"'
    assert Download.objects.count() == 0
