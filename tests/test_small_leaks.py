"""Issue 10.10: ids and card numbers reveal nothing beyond one's own organisations; printed
passwords cost as much to check as any other."""

import unicodedata

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher, make_password
from django.urls import reverse

from members.models import User
from speakers.models import Speaker
from study import services as study_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(org_tree, holder_of):
    from members.models import Role

    return holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_a)


def _speaker_form(org, card, name="Trần Thị Báo Cáo"):
    return {"full_name": name, "card": card, "organization": org.pk, "level": "upper"}


def test_removing_a_participant_by_someone_elses_id_names_nobody(
    client, org_tree, secretary_of, member_of, spec_for
):
    secretary = secretary_of(org_tree.cell_a1a)
    session = study_services.publish_session(
        secretary,
        session=study_services.create_session(secretary, spec=spec_for(org_tree.cell_a1a)),
    )
    stranger = member_of(org_tree.cell_b, full_name="Người Ở Bộ B")
    client.force_login(secretary)

    response = client.post(
        reverse("study:participant-remove", args=[session.pk, stranger.pk]), follow=True
    )

    assert response.status_code == 404
    assert "Người Ở Bộ B" not in response.content.decode()


def test_the_speaker_form_is_not_an_oracle_for_other_subtrees_cards(
    client, org_tree, board, member_of
):
    outsider = member_of(org_tree.cell_b, full_name="Trần Thị Báo Cáo", party_card_number="05.1")
    client.force_login(board)

    unknown = client.post(reverse("speakers:create"), _speaker_form(org_tree.upper_a, "99.999"))
    elsewhere = client.post(
        reverse("speakers:create"), _speaker_form(org_tree.upper_a, outsider.party_card_number)
    )

    assert unknown.context["form"].errors["card"] == elsewhere.context["form"].errors["card"]
    assert not Speaker.objects.exists()


def test_a_speaker_is_linked_only_when_card_and_name_both_match(client, org_tree, board, member_of):
    own = member_of(org_tree.cell_a1a, full_name="Trần Thị Báo Cáo", party_card_number="05.2")
    client.force_login(board)

    wrong_name = client.post(
        reverse("speakers:create"),
        _speaker_form(org_tree.upper_a, own.party_card_number, name="Lê Văn Khác"),
    )
    decomposed = unicodedata.normalize("NFD", "trần thị báo cáo")
    linked = client.post(
        reverse("speakers:create"),
        _speaker_form(org_tree.upper_a, own.party_card_number, name=decomposed),
    )

    assert wrong_name.status_code == 200 and wrong_name.context["form"].errors["card"]
    assert linked.status_code == 302
    assert Speaker.objects.get().user == own


def test_checking_a_printed_password_costs_a_full_check(settings):
    """Otherwise the login time tells which accounts hold a printed password."""
    settings.PASSWORD_HASHERS = [
        "tests.test_small_leaks.CountingHasher",
        "members.hashers.TemporaryPasswordHasher",
    ]
    user = User(password=make_password("in-ra-tren-phieu", hasher="pbkdf2_sha256_temporary"))
    CountingHasher.encodes = 0

    assert not user.check_password("sai")
    assert CountingHasher.encodes == 1


class CountingHasher(MD5PasswordHasher):
    """The default hasher of this test: counts the full-cost hashes computed."""

    algorithm = "counting_md5"
    encodes = 0

    def encode(self, password, salt):
        type(self).encodes += 1
        return super().encode(password, salt)
