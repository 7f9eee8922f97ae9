"""Issue 13.1: error pages in the product's language and layout, readable without DEBUG."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.DEBUG = False


def test_not_found_is_vietnamese_with_the_menu_and_a_way_back(
    client, production, org_tree, member_of
):
    client.force_login(member_of(org_tree.cell_a1a))

    response = client.get("/khong-co-trang-nay/")

    text = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang" in text and 'href="/"' in text
    assert reverse("members:profile") in text  # the menu is there


def test_a_server_error_page_is_vietnamese(production):
    from django.test import RequestFactory
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Đã có lỗi" in response.content.decode()


def test_a_missing_csrf_token_gets_the_products_page(production, org_tree, member_of):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member_of(org_tree.cell_a1a))

    response = client.post(reverse("attendance:code"), {"code": "123456"})

    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in response.content.decode()


def test_a_members_cell_page_links_only_what_the_member_may_open(client, org_tree, member_of):
    client.force_login(member_of(org_tree.cell_a1a))

    page = client.get(reverse("members:organization-detail", args=[org_tree.cell_a1a.pk]))

    text = page.content.decode()
    assert "Đảng bộ Vụ A1" in text
    assert reverse("members:organization-detail", args=[org_tree.committee_a1.pk]) not in text
