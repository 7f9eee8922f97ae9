"""Issue 10.10: uploaded member lists and rosters are not kept forever."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from members import services
from members.errors import MembersError
from members.models import MemberImport
from tests.members.xlsx import xlsx_upload

pytestmark = pytest.mark.django_db


def test_member_lists_are_deleted_after_the_retention_and_the_record_stays(
    org_tree, secretary_of, settings
):
    settings.HOCTAP_UPLOAD_RETENTION_DAYS = 30
    secretary = secretary_of(org_tree.cell_a1a)
    old = services.preview_member_import(
        secretary, upload=xlsx_upload([["Cũ", "02.000001", "A1a", "", ""]])
    ).member_import
    recent = services.preview_member_import(
        secretary, upload=xlsx_upload([["Mới", "02.000002", "A1a", "", ""]])
    ).member_import
    MemberImport.objects.filter(pk=old.pk).update(uploaded_at=timezone.now() - timedelta(days=31))
    path = old.file.path

    call_command("forget_old_uploads")
    again = services.forget_old_uploads()

    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.file and old.original_name == "danh-sach.xlsx"
    assert recent.file
    assert again == 0
    assert not Path(path).exists()
    with pytest.raises(MembersError) as expired:
        services.apply_member_import(secretary, member_import=old)
    assert expired.value.code == "import_expired"
