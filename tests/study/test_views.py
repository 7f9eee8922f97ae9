import pytest
from django.urls import reverse
from icalendar import Calendar

from members.models import Role
from study import services
from study.models import StudySession
from tests.times import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(org_tree, secretary_of):
    return secretary_of(org_tree.cell_a1a)


@pytest.fixture
def published(org_tree, secretary, spec_for, member_of):
    member_of(org_tree.cell_a1a, full_name="Đảng Viên Dự")
    session = services.create_session(secretary, spec=spec_for(org_tree.cell_a1a))
    return services.publish_session(secretary, session=session)


def form_data(org, **overrides):
    data = {
        "title": "Học tập Nghị quyết 02-NQ/ĐUK",
        "organizer": org.pk,
        "audience": [org.pk],
        "mode": "hybrid",
        "venue": "Hội trường A",
        "meeting_url": "https://hop.example.vn/a",
        "starts_at": "2026-12-10T07:30",
        "ends_at": "2026-12-10T16:30",
        "segments-TOTAL_FORMS": "3",
        "segments-INITIAL_FORMS": "0",
        "segments-MIN_NUM_FORMS": "1",
        "segments-MAX_NUM_FORMS": "6",
        "segments-0-name": "Sáng",
        "segments-0-starts_at": "2026-12-10T07:30",
        "segments-0-ends_at": "2026-12-10T11:30",
        "segments-1-name": "Chiều",
        "segments-1-starts_at": "2026-12-10T13:30",
        "segments-1-ends_at": "2026-12-10T16:30",
        "segments-1-has_checkout": "on",
        "points-TOTAL_FORMS": "1",
        "points-INITIAL_FORMS": "0",
        "points-MIN_NUM_FORMS": "0",
        "points-MAX_NUM_FORMS": "50",
        "points-0-organization": org.pk,
        "points-0-place": "Phòng họp chi bộ",
    }
    data.update(overrides)
    return data


def test_secretary_schedules_through_the_form(client, org_tree, secretary):
    client.force_login(secretary)

    response = client.post(reverse("study:session-create"), form_data(org_tree.cell_a1a))

    session = StudySession.objects.get()
    assert response.status_code == 302 and response["Location"] == session.get_absolute_url()
    assert [s.name for s in session.segments.all()] == ["Sáng", "Chiều"]
    assert session.segments.get(name="Sáng").starts_at == at(10, 7, 30)
    assert [p.place for p in session.connection_points.all()] == ["Phòng họp chi bộ"]


def test_overlapping_segments_show_a_message_and_save_nothing(client, org_tree, secretary):
    client.force_login(secretary)

    response = client.post(
        reverse("study:session-create"),
        form_data(org_tree.cell_a1a, **{"segments-1-starts_at": "2026-12-10T11:00"}),
    )

    assert response.status_code == 200
    assert "trùng giờ" in response.content.decode()
    assert not StudySession.objects.exists()


def test_another_cells_id_in_the_form_is_refused(client, org_tree, secretary):
    client.force_login(secretary)

    response = client.post(
        reverse("study:session-create"),
        form_data(org_tree.cell_a1b, **{"points-TOTAL_FORMS": "0"}),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["organizer"]
    assert not StudySession.objects.exists()


def test_other_cells_session_is_404(client, org_tree, published, secretary_of):
    client.force_login(secretary_of(org_tree.cell_a1b))

    assert client.get(published.get_absolute_url()).status_code == 404
    assert client.get(reverse("study:session-edit", args=[published.pk])).status_code == 404
    response = client.post(
        reverse("study:session-status", args=[published.pk]), {"action": "cancel"}
    )
    assert response.status_code == 404
    published.refresh_from_db()
    assert published.status == StudySession.Status.PUBLISHED


def test_member_sees_their_session_on_home_and_detail(client, org_tree, published):
    member = published.participants.exclude(user__role_assignments__isnull=False).get().user
    client.force_login(member)

    home = client.get(reverse("home")).content.decode()
    detail = client.get(published.get_absolute_url()).content.decode()

    assert published.title in home
    assert "Buổi sáng" in detail and "Hội trường tầng 3" in detail
    assert "Công bố" not in detail  # no management buttons for a member


def test_board_sees_sessions_of_its_subtree_and_bloc_wide_ones_reach_cells(
    client, org_tree, holder_of, published, spec_for, secretary_of
):
    officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_a)
    bloc_officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc)
    bloc_wide = services.create_session(
        bloc_officer, spec=spec_for(org_tree.bloc, title="Hội nghị toàn Khối")
    )
    services.publish_session(bloc_officer, session=bloc_wide)
    outsider = secretary_of(org_tree.cell_b)
    client.force_login(officer)

    officer_list = client.get(reverse("study:session-list")).content.decode()
    client.force_login(outsider)
    outsider_list = client.get(reverse("study:session-list")).content.decode()

    assert published.title in officer_list and "Hội nghị toàn Khối" in officer_list
    assert "Hội nghị toàn Khối" in outsider_list
    assert published.title not in outsider_list


def test_drafts_are_hidden_from_members(client, org_tree, secretary, spec_for, member_of):
    draft = services.create_session(
        secretary, spec=spec_for(org_tree.cell_a1a, title="Bản nháp riêng")
    )
    client.force_login(member_of(org_tree.cell_a1a))

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Bản nháp riêng" not in client.get(reverse("study:session-list")).content.decode()


@pytest.mark.parametrize("n", [1, 4])
def test_session_list_queries_are_bounded(
    client, org_tree, secretary, spec_for, n, django_assert_max_num_queries
):
    for i in range(n):
        session = services.create_session(
            secretary, spec=spec_for(org_tree.cell_a1a, title=f"Buổi {i}")
        )
        services.publish_session(secretary, session=session)
    client.force_login(secretary)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("study:session-list"))

    assert len(response.context["upcoming"]) + len(response.context["past"]) == n


def test_calendar_month_view_lists_sessions(client, org_tree, published, secretary):
    client.force_login(secretary)

    response = client.get(reverse("study:session-calendar"), {"month": "2026-12"})
    garbage = client.get(reverse("study:session-calendar"), {"month": "not-a-month"})

    assert published.title in response.content.decode()
    assert garbage.status_code == 200


def test_ical_feed_parses_back_with_time_zone_and_cancellation(
    client, org_tree, published, secretary
):
    services.change_session_status(secretary, session=published, action="cancel")

    response = client.get(reverse("study:calendar-feed", args=[secretary.calendar_token]))
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")

    assert response["Content-Type"].startswith("text/calendar")
    assert str(event["summary"]) == published.title
    assert event.decoded("dtstart") == at(10, 7, 30)
    assert str(event["dtstart"].params["TZID"]) == "Asia/Ho_Chi_Minh"
    assert str(event["status"]) == "CANCELLED"
    assert int(event["sequence"]) >= 2
    assert calendar.walk("VTIMEZONE")


def test_ical_feed_with_a_wrong_token_is_404(client, db):
    assert client.get(reverse("study:calendar-feed", args=["khong-dung"])).status_code == 404


def test_documents_search_ignores_diacritics(client, org_tree, secretary):
    from datetime import date

    services.register_document(
        None,
        number="328-KL/ĐUK",
        issued_on=date(2019, 8, 27),
        title="Kết luận về học tập nghị quyết",
    )
    services.register_document(
        None, number="04-CT/ĐUK", issued_on=date(2016, 1, 1), title="Chỉ thị về báo cáo viên"
    )
    client.force_login(secretary)

    found = client.get(reverse("study:document-list"), {"q": "hoc tap"}).context["documents"]

    assert [d.number for d in found] == ["328-KL/ĐUK"]


def test_board_registers_a_document_and_a_bad_number_gets_a_message(client, org_tree, holder_of):
    client.force_login(holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc))
    data = {"number": "328-KL/ĐUK", "issued_on": "2019-08-27", "title": "Kết luận 328"}

    ok = client.post(reverse("study:document-create"), data)
    bad = client.post(reverse("study:document-create"), {**data, "number": "KL328"})
    dup = client.post(reverse("study:document-create"), {**data, "number": "328 - kl/ĐUK"})

    assert ok.status_code == 302
    assert "không phải là số hiệu" in bad.content.decode()
    assert "đã có trong danh mục" in dup.content.decode()


def test_cell_secretary_cannot_register_documents(client, org_tree, secretary):
    client.force_login(secretary)

    assert client.get(reverse("study:document-create")).status_code == 404


def test_week_view_lists_the_sessions_of_that_week(client, org_tree, published, secretary):
    client.force_login(secretary)

    week = client.get(reverse("study:session-calendar"), {"week": "2026-12-09"})
    other_week = client.get(reverse("study:session-calendar"), {"week": "2026-12-16"})

    assert [d for d, sessions in week.context["days"] if sessions] == [at(10, 0).date()]
    assert published.title not in other_week.content.decode()
