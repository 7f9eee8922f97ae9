"""Issue 11.6: a card number typed by a clerk keeps its leading zeros."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members import services
from members.models import User
from tests.members.xlsx import xlsx_upload

pytestmark = pytest.mark.django_db


def test_the_template_makes_the_card_column_text(client, fresh_login, org_tree, secretary_of):
    fresh_login(secretary_of(org_tree.cell_a1a))

    response = client.get(reverse("members:import-template"))
    sheet = load_workbook(BytesIO(response.content)).active

    assert sheet.column_dimensions["B"].number_format == "@"
    assert sheet["B2"].value == "01000005"  # a text cell, zeros kept


def test_a_card_that_lost_its_zeros_is_the_card_it_was(org_tree, secretary_of, member_of):
    secretary = secretary_of(org_tree.cell_a1a)
    member = member_of(org_tree.cell_a1a, full_name="Đảng Viên Cũ", party_card_number="01000005")

    preview = services.preview_member_import(
        secretary, upload=xlsx_upload([["Đảng Viên Cũ", 1000005, "A1a", "", ""]])
    )

    assert preview.problems == [] and "01000005" in preview.notes[0].message
    assert (preview.to_create, preview.to_update) == (0, 1)
    services.apply_member_import(secretary, member_import=preview.member_import)
    assert User.objects.filter(full_name="Đảng Viên Cũ").get() == member


def test_a_number_that_matches_no_card_is_taken_as_typed_with_a_note(org_tree, secretary_of):
    secretary = secretary_of(org_tree.cell_a1a)

    preview = services.preview_member_import(
        secretary, upload=xlsx_upload([["Người Mới", 1000077, "A1a", "", ""]])
    )

    [note] = preview.notes
    assert preview.problems == [] and "1000077" in note.message


def test_a_card_typed_as_text_is_taken_as_it_is(org_tree, secretary_of):
    secretary = secretary_of(org_tree.cell_a1a)

    preview = services.preview_member_import(
        secretary, upload=xlsx_upload([["Người Mới", "01000077", "A1a", "", ""]])
    )

    assert preview.problems == [] and preview.to_create == 1
