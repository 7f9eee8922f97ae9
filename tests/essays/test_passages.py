"""Matched passages (essays.similarity, essays.passages): found in a planted copy, none between
independent essays; a template passage dismissed for the session lowers every score that relied
on it, and restoring it brings them back."""

import itertools
import time
from datetime import date

import pytest
from django.urls import reverse

from essays import passages, similarity
from essays.errors import PassageError
from essays.models import DismissedPassage, Essay, Match
from members.models import AuditEntry, Role
from study import services as study_services
from tests.essays.corpus import COPY, DOCUMENT, INDEPENDENT, ORIGINAL
from tests.races import in_turn, needs_postgres


def joined(sections: dict) -> str:
    return "\n".join(sections.values())


# The school's template, and a quotation of the conclusion, that every essay of the session has.
TEMPLATE = (
    "Bài thu hoạch học tập, quán triệt Kết luận số 328-KL/ĐUK của Ban Chấp hành Đảng bộ Khối về "
    "tiếp tục đổi mới phương thức, nâng cao chất lượng học tập nghị quyết của Đảng. "
)


CLOSING = (
    "Trên đây là bài thu hoạch của tôi sau khi học tập, quán triệt Kết luận số 328-KL/ĐUK; tôi "
    "xin hứa thực hiện nghiêm túc các nội dung đã đề ra và chịu sự giám sát của chi bộ, của "
    "quần chúng nơi công tác và nơi cư trú."
)


def templated(sections: dict) -> dict:
    """The essay on the template: opening with a quotation of the conclusion, and closing."""
    return {
        **sections,
        "understanding": f"{TEMPLATE}{DOCUMENT}\n{sections['understanding']}",
        "proposals": f"{sections['proposals']}\n{CLOSING}",
    }


def test_a_planted_copy_gives_its_passages_in_the_authors_own_words():
    original, copy = joined(ORIGINAL), joined(COPY)

    pairs = passages.pairs(original, copy)

    # Sentences reordered: each is still a passage, found at its place in either text.
    texts = [p.mine.text for p in pairs]
    assert (
        "Kết luận nhấn mạnh trách nhiệm của người đứng đầu và yêu cầu chương trình hành động "
        "phải đo đếm được" in texts
    )
    assert all(p.mine.text == p.theirs.text for p in pairs)
    assert [p.number for p in pairs] == list(range(1, len(pairs) + 1))
    # Changed names break a passage without hiding what follows them.
    assert not any("Nguyễn Văn An" in t for t in texts)
    assert any(t.startswith("và tôi phụ trách tiếp nhận văn bản đến") for t in texts)
    assert sum(p.mine.share for p in pairs) > 0.9
    # Offsets map back to the text as written (case and diacritics kept).
    first = pairs[0]
    assert original.index(first.mine.text) >= 0 and copy.index(first.theirs.text) >= 0
    assert first.folded == " ".join(similarity.words(first.mine.text).folded)


def test_passages_are_found_through_case_diacritics_and_punctuation():
    a = "Mở đầu khác hẳn. TÔI ĐỀ XUẤT chi bộ giao cho tổ văn thư xây dựng sổ theo dõi!"
    b = "toi de xuat, chi bo giao cho to van thu xay dung so theo doi. Hết."

    [pair] = passages.pairs(a, b)

    assert pair.mine.text == "TÔI ĐỀ XUẤT chi bộ giao cho tổ văn thư xây dựng sổ theo dõi"
    assert pair.theirs.text == "toi de xuat, chi bo giao cho to van thu xay dung so theo doi"
    assert pair.mine.before == "… Mở đầu khác hẳn. " or pair.mine.before == "Mở đầu khác hẳn. "


@pytest.mark.parametrize(
    ("first", "second"),
    list(itertools.combinations(range(len(INDEPENDENT) + 1), 2)),
)
def test_independent_essays_on_the_same_conclusion_share_no_passage(first, second):
    essays = [ORIGINAL, *INDEPENDENT]

    assert passages.pairs(joined(essays[first]), joined(essays[second])) == []


def test_an_essay_of_its_own_shares_no_passage_with_the_document():
    assert passages.pairs(joined(ORIGINAL), DOCUMENT) == []
    assert [p.mine.text for p in passages.pairs(DOCUMENT, DOCUMENT)] == [DOCUMENT.rstrip(".")]


def test_dismissed_shingles_leave_the_passage_out():
    a, b = TEMPLATE + joined(INDEPENDENT[0]), TEMPLATE + joined(INDEPENDENT[1])
    [template] = passages.pairs(a, b)

    left = passages.pairs(a, b, without=similarity.shingles_of_passages([template.folded]))

    assert left == []


def test_long_essays_are_compared_in_bounded_time():
    # 24,000 words each, with boilerplate repeated hundreds of times in both.
    boiler = "chi bộ họp thường kỳ hằng tháng theo đúng quy định của điều lệ Đảng. "
    long_a = (joined(ORIGINAL) + " " + boiler * 40) * 20
    long_b = (boiler * 30 + joined(COPY)) * 20

    started = time.perf_counter()
    found = passages.pairs(long_a, long_b)
    elapsed = time.perf_counter() - started

    assert found and elapsed < 5


# --- the session: dismissing a template passage, and the scores


@pytest.fixture
def cell_essays(org_tree, member_of, secretary, session, write):
    """Four essays of the cell, the first three on the school's template; a copy of the first."""
    document = study_services.register_document(
        None, number="328-KL/ĐUK", issued_on=date(2019, 8, 27), title="Kết luận 328"
    )
    document.text = DOCUMENT
    document.save(update_fields=["text"])
    session.documents.add(document)
    authors = [member_of(org_tree.cell_a1a, full_name=f"Người Viết {i}") for i in range(4)]
    for author in authors:
        study_services.add_participant(secretary, session=session, user=author)
    texts = [templated(INDEPENDENT[0]), templated(INDEPENDENT[1]), templated(INDEPENDENT[2])]
    essays = [write(author, session, text) for author, text in zip(authors, texts, strict=False)]
    essays.append(write(authors[3], session, INDEPENDENT[3]))  # no template
    return essays


def scores(session):
    matches = {
        (m.essay_id, m.other_id): m.score
        for m in Match.objects.filter(essay__participant__session=session)
    }
    overlaps = dict(
        Essay.objects.filter(participant__session=session).values_list("pk", "document_overlap")
    )
    return matches, overlaps


def template_passage(essay):
    panel = passages.panel(Essay.objects.get(pk=essay.pk))
    return next(p for c in panel.comparisons for p in c.passages if "Bài thu hoạch" in p.mine.text)


@pytest.mark.django_db
def test_a_dismissed_template_passage_lowers_every_score_that_relied_on_it(
    secretary, session, cell_essays
):
    templated_pks = [e.pk for e in cell_essays[:3]]
    matches_before, overlaps_before = scores(session)
    pair = template_passage(cell_essays[0])

    dismissal = passages.dismiss_passage(secretary, essay=cell_essays[0], folded=pair.folded)

    matches_after, overlaps_after = scores(session)
    relied = [key for key in matches_before if set(key) <= set(templated_pks)]
    assert relied  # the template made the templated essays similar
    for key in relied:
        assert matches_after.get(key, 0) < matches_before[key]
    for pk in templated_pks:
        assert overlaps_after[pk] < overlaps_before[pk]
    untouched = cell_essays[3].pk
    assert overlaps_after[untouched] == overlaps_before[untouched]
    assert dismissal.text.startswith("Bài thu hoạch học tập, quán triệt Kết luận số 328")
    assert dismissal.dismissed_by == secretary
    assert AuditEntry.objects.filter(action="essays.dismiss_passage").count() == 1
    # The passage no longer shows, beside any essay of the session.
    panel = passages.panel(Essay.objects.get(pk=cell_essays[1].pk))
    assert not any("Bài thu hoạch" in p.mine.text for c in panel.comparisons for p in c.passages)
    assert panel.dismissed == [dismissal]


@pytest.mark.django_db
def test_restoring_a_dismissal_brings_the_scores_back_and_keeps_the_record(
    secretary, session, cell_essays
):
    before = scores(session)
    pair = template_passage(cell_essays[0])
    dismissal = passages.dismiss_passage(secretary, essay=cell_essays[0], folded=pair.folded)

    passages.restore_passage(secretary, essay=cell_essays[1], dismissal_id=dismissal.pk)

    assert scores(session) == before
    dismissal.refresh_from_db()
    assert dismissal.restored_by == secretary and dismissal.restored_at is not None
    assert list(passages.dismissed_passages(session)) == []
    with pytest.raises(PassageError) as refused:
        passages.restore_passage(secretary, essay=cell_essays[1], dismissal_id=dismissal.pk)
    assert refused.value.code == "not_dismissed"


@pytest.mark.django_db
def test_an_essay_submitted_after_a_dismissal_is_scored_without_the_passage(
    org_tree, member_of, secretary, session, cell_essays, write
):
    pair = template_passage(cell_essays[0])
    passages.dismiss_passage(secretary, essay=cell_essays[0], folded=pair.folded)
    late = member_of(org_tree.cell_a1a, full_name="Người Nộp Sau")
    study_services.add_participant(secretary, session=session, user=late)

    essay = write(late, session, templated(ORIGINAL))

    assert essay.document_overlap == 0
    assert similarity.restated_share(joined(templated(ORIGINAL)), DOCUMENT) > 0.2


@pytest.mark.django_db
def test_the_same_passage_dismissed_twice_is_one_dismissal(secretary, session, cell_essays):
    pair = template_passage(cell_essays[0])

    first = passages.dismiss_passage(secretary, essay=cell_essays[0], folded=pair.folded)
    second = passages.dismiss_passage(secretary, essay=cell_essays[0], folded=pair.folded)

    assert first == second and DismissedPassage.objects.count() == 1


@pytest.mark.django_db
def test_only_a_passage_of_the_essay_is_dismissed(secretary, session, cell_essays):
    text = "những dòng này không hề có trong bài thu hoạch của đồng chí ấy"

    with pytest.raises(PassageError) as absent:
        passages.dismiss_passage(secretary, essay=cell_essays[0], folded=text)
    with pytest.raises(PassageError) as short:
        passages.dismiss_passage(secretary, essay=cell_essays[0], folded="bai thu hoach")

    assert (absent.value.code, short.value.code) == ("passage_not_in_essay", "passage_too_short")
    assert DismissedPassage.objects.count() == 0


@pytest.mark.django_db
def test_a_secretary_of_another_cell_dismisses_nothing(
    org_tree, secretary_of, session, cell_essays
):
    other = secretary_of(org_tree.cell_a1b, full_name="Bí Thư A1b")
    pair = template_passage(cell_essays[0])

    with pytest.raises(PassageError) as refused:
        passages.dismiss_passage(other, essay=cell_essays[0], folded=pair.folded)

    assert refused.value.code == "out_of_reach"
    assert DismissedPassage.objects.count() == 0


# --- the grading page


@pytest.fixture
def copied(org_tree, member_of, member, secretary, session, write):
    copier = member_of(org_tree.cell_a1a, full_name="Người Chép Bài")
    study_services.add_participant(secretary, session=session, user=copier)
    original = write(member, session, ORIGINAL)
    return original, write(copier, session, COPY)


@pytest.mark.django_db
def test_the_grading_page_shows_the_passages_of_both_essays_side_by_side(client, secretary, copied):
    original, copy = copied
    client.force_login(secretary)

    page = client.get(reverse("essays:grade", args=[copy.pk])).content.decode()

    assert page.count('class="passage-pair"') >= 7
    assert (
        '<mark><b class="passage-no">1</b> Kết luận nhấn mạnh trách nhiệm của người đứng đầu'
        in page
    )
    assert original.participant.user.full_name in page


@pytest.mark.django_db
def test_dismissing_through_the_page_recomputes_the_match(client, secretary, copied):
    _original, copy = copied
    client.force_login(secretary)
    panel = passages.panel(Essay.objects.get(pk=copy.pk))
    score = Match.objects.get(essay=copy).score
    longest = max(panel.comparisons[0].passages, key=lambda p: len(p.folded))

    response = client.post(reverse("essays:passages", args=[copy.pk]), {"dismiss": longest.folded})

    assert response.status_code == 302
    assert response.url == reverse("essays:grade", args=[copy.pk]) + "#passages"
    dismissal = DismissedPassage.objects.get()
    assert dismissal.folded == longest.folded and dismissal.text == longest.mine.text
    assert Match.objects.get(essay=copy).score < score
    restore = client.post(reverse("essays:passages", args=[copy.pk]), {"restore": dismissal.pk})
    assert restore.status_code == 302
    assert Match.objects.get(essay=copy).score == score


@pytest.mark.django_db
def test_an_unreadable_dismissal_changes_nothing(client, secretary, copied):
    _original, copy = copied
    client.force_login(secretary)

    response = client.post(
        reverse("essays:passages", args=[copy.pk]), {"dismiss": "a", "restore": "3"}
    )

    assert response.status_code == 302
    assert DismissedPassage.objects.count() == 0


def test_all_pairs_at_once_flag_what_one_essay_at_a_time_flags():
    texts = [joined(ORIGINAL), joined(COPY), *(joined(e) for e in INDEPENDENT)]
    texts += [joined(COPY) + " " + joined(e) for e in INDEPENDENT]  # copies with more of their own
    signatures = [(i, similarity.signature(text)) for i, text in enumerate(texts)]

    together = similarity.closest_among(signatures)

    for key, mine in signatures:
        others = [(k, s) for k, s in signatures if k != key]
        assert together[key] == similarity.closest(mine, others)
    assert [k for _score, k in together[0]][:1] == [1]


@pytest.mark.django_db(transaction=True)
@needs_postgres
def test_two_graders_dismissing_at_once_leave_the_scores_of_both(
    org_tree, holder_of, secretary, session, cell_essays
):
    deputy = holder_of(
        Role.DEPUTY_SECRETARY, org_tree.cell_a1a, cell=org_tree.cell_a1a, full_name="Phó Bí Thư"
    )
    panel = passages.panel(Essay.objects.get(pk=cell_essays[0].pk))
    template = template_passage(cell_essays[0])
    closing = next(p for c in panel.comparisons for p in c.passages if "Trên đây" in p.mine.text)
    outcomes = in_turn(
        lambda: passages.dismiss_passage(secretary, essay=cell_essays[0], folded=template.folded),
        lambda: passages.dismiss_passage(deputy, essay=cell_essays[0], folded=closing.folded),
    )

    assert outcomes == {"first": "done", "second": "done", "blocked": 1}  # waited for the lock
    assert DismissedPassage.objects.filter(restored_at__isnull=True).count() == 2
    stored = scores(session)
    passages.rescore_session(session)  # what the scores are with both dismissed
    assert scores(session) == stored


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 3])
def test_the_grading_page_reads_passages_in_bounded_queries(
    client, org_tree, member_of, member, secretary, session, write, n, django_assert_max_num_queries
):
    original = write(member, session, ORIGINAL)
    for i in range(n):
        copier = member_of(org_tree.cell_a1a, full_name=f"Người Chép {i}")
        study_services.add_participant(secretary, session=session, user=copier)
        write(copier, session, COPY)
    passages.dismiss_passage(
        secretary, essay=original, folded=passages.pairs(joined(ORIGINAL), joined(COPY))[0].folded
    )
    client.force_login(secretary)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("essays:grade", args=[original.pk]))

    assert len(response.context["passages"].comparisons) == n
    assert len(response.context["passages"].dismissed) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("overlap", "shown"), [(None, False), (0.49, False), (0.5, True)])
def test_the_documents_are_compared_when_the_essay_is_flagged_as_restating_them(
    client, secretary, session, cell_essays, overlap, shown
):
    essay = cell_essays[0]
    Essay.objects.filter(pk=essay.pk).update(document_overlap=overlap)
    client.force_login(secretary)

    response = client.get(reverse("essays:grade", args=[essay.pk]))

    compared = [c for c in response.context["passages"].comparisons if c.other is None]
    assert response.context["restates"] is shown
    assert len(compared) == int(shown)
    if shown:
        assert compared[0].passages[0].theirs.text == DOCUMENT.rstrip(".")


@pytest.mark.django_db
def test_each_passage_says_how_many_essays_of_the_cell_hold_it(secretary, session, cell_essays):
    panel = passages.panel(Essay.objects.get(pk=cell_essays[1].pk))

    held = {
        p.mine.text.split()[0]: p.held_by
        for c in panel.comparisons
        if c.other is not None
        for p in c.passages
    }

    assert panel.cell_essays == 4
    assert held["Bài"] == 3  # the template: every templated essay of the cell
    assert held["Trên"] == 3  # the closing words too
