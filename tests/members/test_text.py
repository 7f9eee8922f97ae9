import unicodedata

import pytest

from members import queries
from members.models import User
from members.text import fold, nfc

pytestmark = pytest.mark.django_db


def test_fold_drops_case_and_diacritics_including_d_stroke():
    assert fold("  Nguyễn Văn  ĐỨC ") == "nguyen van duc"


def test_user_name_typed_decomposed_is_stored_nfc(org_tree, member_of):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hường")

    user = member_of(org_tree.cell_a1a, full_name=decomposed)

    stored = User.objects.get(pk=user.pk).full_name
    assert stored == nfc("Nguyễn Thị Hường")
    assert unicodedata.is_normalized("NFC", stored)


@pytest.mark.parametrize("typed", ["nguyen van a", "NGUYEN VĂN A", "Nguyễn Văn A", "van a"])
def test_member_search_ignores_case_and_diacritics(org_tree, secretary_of, member_of, typed):
    secretary = secretary_of(org_tree.cell_a1a, full_name="Trần Bí Thư")
    target = member_of(org_tree.cell_a1a, full_name="Nguyễn Văn A")
    member_of(org_tree.cell_a1a, full_name="Nguyễn Văn Bình")
    member_of(org_tree.cell_a1b, full_name="Nguyễn Văn A")  # same name, another cell: must not leak

    found = list(queries.members_visible_to(secretary, search=typed))

    assert found == [target]


def test_search_by_decomposed_query(org_tree, secretary_of, member_of):
    secretary = secretary_of(org_tree.cell_a1a)
    target = member_of(org_tree.cell_a1a, full_name="Đỗ Thị Hằng")

    found = list(
        queries.members_visible_to(secretary, search=unicodedata.normalize("NFD", "đỗ thị hằng"))
    )

    assert found == [target]
