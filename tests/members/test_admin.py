import pytest
from django.contrib import admin
from django.urls import reverse

from members.models import AuditEntry, MemberImport, Membership, Organization, RoleAssignment, User
from study.models import Document

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", [Organization, User, Membership, RoleAssignment, AuditEntry, MemberImport, Document]
)
def test_every_model_is_in_the_admin_and_searchable(client, org_tree, member_of, model):
    superuser = User.objects.create_superuser(email="root@example.vn", full_name="Quản trị")
    member_of(org_tree.cell_a1a, full_name="Nguyễn Văn Tìm")
    client.force_login(superuser)
    opts = model._meta

    response = client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), {"q": "nguyen"}
    )

    assert model in admin.site._registry
    assert admin.site._registry[model].search_fields
    assert response.status_code == 200


def test_admin_is_closed_to_non_staff(client, org_tree, secretary_of):
    client.force_login(secretary_of(org_tree.cell_a1a))

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert "_auth_user_id" in client.session
