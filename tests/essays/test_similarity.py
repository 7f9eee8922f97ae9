"""The comparison on a small corpus of Vietnamese essays written for the tests."""

import pytest

from essays.models import Match
from essays.similarity import restated_share, shingles, signature, similarity
from tests.essays.corpus import COPY, DOCUMENT, INDEPENDENT, ORIGINAL


def joined(sections: dict) -> str:
    return "\n".join(sections.values())


def test_folding_makes_diacritics_and_case_irrelevant():
    assert shingles("Đổi mới PHƯƠNG THỨC học tập") == shingles("doi moi phuong thuc hoc tap")


def test_a_copy_with_reordered_sentences_and_changed_names_is_found():
    score = similarity(signature(joined(ORIGINAL)), signature(joined(COPY)))

    assert score >= 0.6


@pytest.mark.parametrize("index", range(len(INDEPENDENT)))
def test_independent_essays_on_the_same_conclusion_are_not_flagged(index):
    score = similarity(signature(joined(ORIGINAL)), signature(joined(INDEPENDENT[index])))

    assert score < 0.15


def test_an_essay_restating_the_document_is_told_apart():
    assert restated_share(DOCUMENT, DOCUMENT) == 1.0
    assert restated_share(joined(ORIGINAL), DOCUMENT) < 0.2


@pytest.mark.django_db
def test_submission_records_the_closest_essays_of_the_cell(
    org_tree, member_of, member, secretary, session, write
):
    from study import services as study_services

    copier = member_of(org_tree.cell_a1a, full_name="Người Chép Bài")
    honest = member_of(org_tree.cell_a1a, full_name="Người Tự Viết")
    for user in (copier, honest):
        study_services.add_participant(secretary, session=session, user=user)

    original = write(member, session, ORIGINAL)
    write(honest, session, INDEPENDENT[0])
    copy = write(copier, session, COPY)

    assert [(m.other_id, m.score >= 0.6) for m in Match.objects.filter(essay=copy)] == [
        (original.pk, True)
    ]
    assert [m.other_id for m in Match.objects.filter(essay=original)] == [copy.pk]
    assert copy.document_overlap is not None
