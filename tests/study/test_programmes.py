from datetime import date

import pytest
from django.urls import reverse

from members.models import Role
from study import queries, services
from study.errors import StudyError
from study.models import ActionItem

pytestmark = pytest.mark.django_db

FIVE = {
    "content": "Tổ chức học tập Kết luận 328 cho toàn chi bộ",
    "objective": "100% đảng viên học tập, viết thu hoạch",
    "solution": "Học trực tiếp kết hợp trực tuyến; bí thư giao nhiệm vụ",
    "deadline": date(2026, 12, 31),
    "responsible": "Đồng chí Bí thư chi bộ",
}


@pytest.fixture
def document(db):
    return services.register_document(
        None, number="328-KL/ĐUK", issued_on=date(2019, 8, 27), title="Kết luận 328"
    )


@pytest.fixture
def committee_member(org_tree, holder_of):
    return holder_of(Role.COMMITTEE_MEMBER, org_tree.committee_a1)


@pytest.fixture
def programme(org_tree, committee_member, document):
    return services.create_programme(
        committee_member,
        organization=org_tree.committee_a1,
        document=document,
        title="Chương trình hành động thực hiện KL 328",
    )


def test_item_with_all_five_elements_is_accepted(committee_member, programme):
    item = services.add_action_item(committee_member, programme=programme, **FIVE)

    assert item.progress == ActionItem.Progress.NOT_STARTED


@pytest.mark.parametrize(
    ("blank", "named"),
    [
        (["responsible"], "người hoặc đơn vị chịu trách nhiệm"),
        (["deadline"], "thời gian"),
        (["objective", "solution"], "mục tiêu, giải pháp"),
    ],
)
def test_item_missing_an_element_is_refused_naming_it(committee_member, programme, blank, named):
    values = {**FIVE, **{name: None if name == "deadline" else "  " for name in blank}}

    with pytest.raises(StudyError) as error:
        services.add_action_item(committee_member, programme=programme, **values)

    assert error.value.code == "item_incomplete"
    assert named in error.value.message
    assert not ActionItem.objects.exists()


def test_one_programme_per_document_and_organisation(
    org_tree, committee_member, programme, document
):
    with pytest.raises(StudyError) as error:
        services.create_programme(
            committee_member, organization=org_tree.committee_a1, document=document, title="Lần hai"
        )

    assert error.value.code == "programme_exists"


def test_programme_outside_the_subtree_is_refused(org_tree, committee_member, document):
    with pytest.raises(StudyError) as error:
        services.create_programme(
            committee_member, organization=org_tree.cell_b, document=document, title="Không được"
        )

    assert error.value.code == "programme_out_of_reach"


def test_overdue_items_come_first(committee_member, programme):
    later = services.add_action_item(committee_member, programme=programme, **FIVE)
    late = services.add_action_item(
        committee_member, programme=programme, **{**FIVE, "deadline": date(2026, 11, 1)}
    )
    done_late = services.add_action_item(
        committee_member, programme=programme, **{**FIVE, "deadline": date(2026, 10, 1)}
    )
    services.set_item_progress(committee_member, item=done_late, progress="done")

    items = list(queries.programme_items(programme, today=date(2026, 11, 25)))

    assert [(i.pk, i.is_overdue) for i in items] == [
        (late.pk, True),
        (done_late.pk, False),
        (later.pk, False),
    ]


def test_bad_progress_value_is_refused(committee_member, programme):
    item = services.add_action_item(committee_member, programme=programme, **FIVE)

    with pytest.raises(StudyError) as error:
        services.set_item_progress(committee_member, item=item, progress="gần xong")

    assert error.value.code == "bad_progress"


def test_programme_page_lists_overdue_first_and_adds_items(client, committee_member, programme):
    services.add_action_item(
        committee_member,
        programme=programme,
        **{**FIVE, "deadline": date(2020, 1, 1), "content": "Việc đã quá hạn"},
    )
    client.force_login(committee_member)

    missing = client.post(
        programme.get_absolute_url(), {**FIVE, "deadline": "2026-12-31", "responsible": ""}
    )
    page = client.get(programme.get_absolute_url()).content.decode()

    assert "người hoặc đơn vị chịu trách nhiệm" in missing.content.decode()
    assert ActionItem.objects.count() == 1
    assert "Việc đã quá hạn" in page and "Quá hạn" in page


def test_other_subtree_cannot_open_or_change_a_programme(
    client, org_tree, programme, committee_member, secretary_of
):
    item = services.add_action_item(committee_member, programme=programme, **FIVE)
    client.force_login(secretary_of(org_tree.cell_b))

    assert client.get(programme.get_absolute_url()).status_code == 404
    assert (
        client.post(
            reverse("study:item-progress", args=[item.pk]), {"progress": "done"}
        ).status_code
        == 404
    )
    item.refresh_from_db()
    assert item.progress == ActionItem.Progress.NOT_STARTED


def test_programmes_are_not_visible_from_below(client, org_tree, programme, secretary_of):
    # Programmes are followed downwards: a committee's programme is its own and its overseers'.
    client.force_login(secretary_of(org_tree.cell_a1a))

    assert client.get(programme.get_absolute_url()).status_code == 404
