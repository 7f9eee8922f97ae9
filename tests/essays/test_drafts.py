"""Nothing typed is lost: a stale copy never overwrites newer text and is never thrown away."""

import pytest

from essays import services
from essays.errors import EssayError, StaleCopyError
from essays.models import Essay, EssayVersion
from tests.essays.conftest import AFTER
from tests.essays.corpus import INDEPENDENT, ORIGINAL, PLAN

pytestmark = pytest.mark.django_db

MINE = {"understanding": "Bản tôi viết ở điện thoại"}
SAVED = {"understanding": "Bản đã lưu từ máy tính"}


def draft(member, session, sections, revision, **kwargs):
    essay = services.essay_for(member, session=session, now=AFTER)
    return services.save_draft(
        member, essay=essay, revision=revision, sections=sections, plan=[], **kwargs
    )


def test_a_stale_copy_is_kept_and_the_conflict_carries_the_saved_copy(member, session):
    draft(member, session, SAVED, 0)

    with pytest.raises(StaleCopyError) as conflict:
        draft(member, session, MINE, 0)

    essay = Essay.objects.get()
    assert conflict.value.code == "stale_copy"
    assert (essay.understanding, essay.revision) == (SAVED["understanding"], 1)
    assert (conflict.value.essay.understanding, conflict.value.essay.revision) == (
        SAVED["understanding"],
        1,
    )
    refused = conflict.value.refused
    assert list(essay.versions.waiting()) == [refused]
    assert (refused.kind, refused.revision) == (EssayVersion.Kind.REFUSED, 0)
    assert refused.sections["understanding"] == MINE["understanding"]


@pytest.mark.django_db(transaction=True)
def test_the_refused_copy_is_committed_although_the_save_is_refused(member, session):
    draft(member, session, SAVED, 0)

    with pytest.raises(StaleCopyError):
        draft(member, session, MINE, 0)

    assert EssayVersion.objects.get().sections["understanding"] == MINE["understanding"]


def test_the_same_refused_copy_sent_again_is_kept_once(member, session):
    draft(member, session, SAVED, 0)
    for _attempt in range(3):
        with pytest.raises(StaleCopyError):
            draft(member, session, MINE, 0)

    assert EssayVersion.objects.count() == 1


def test_keeping_mine_saves_it_as_the_newest_and_keeps_the_copy_it_replaces(member, session):
    draft(member, session, SAVED, 0)
    with pytest.raises(StaleCopyError) as conflict:
        draft(member, session, MINE, 0)

    essay = draft(member, session, MINE, 1, settles=conflict.value.refused.pk)

    assert (essay.understanding, essay.revision) == (MINE["understanding"], 2)
    assert not essay.versions.waiting().exists()
    replaced = essay.versions.get(kind=EssayVersion.Kind.REPLACED)
    assert (replaced.revision, replaced.sections["understanding"]) == (1, SAVED["understanding"])


def test_taking_the_saved_copy_settles_the_conflict_and_keeps_mine_in_the_history(member, session):
    draft(member, session, SAVED, 0)
    with pytest.raises(StaleCopyError) as conflict:
        draft(member, session, MINE, 0)

    essay = draft(member, session, SAVED, 1, settles=conflict.value.refused.pk)

    assert essay.understanding == SAVED["understanding"]
    assert not essay.versions.filter(kind=EssayVersion.Kind.REPLACED).exists()
    mine = essay.versions.get()
    assert mine.settled_at is not None and mine.sections["understanding"] == MINE["understanding"]


def test_a_choice_made_against_a_copy_saved_since_conflicts_again(member, session):
    draft(member, session, SAVED, 0)
    with pytest.raises(StaleCopyError) as first:
        draft(member, session, MINE, 0)
    draft(member, session, {"understanding": "Bản thứ ba, lưu sau đó"}, 1)

    with pytest.raises(StaleCopyError) as again:
        draft(member, session, MINE, 1, settles=first.value.refused.pk)

    assert Essay.objects.get().understanding == "Bản thứ ba, lưu sau đó"
    assert again.value.essay.revision == 2
    assert Essay.objects.get().versions.waiting().count() == 2


def test_a_retry_of_text_already_saved_is_accepted_without_a_conflict(member, session):
    draft(member, session, MINE, 0)  # saved, but the answer never reached the phone

    essay = draft(member, session, {"understanding": MINE["understanding"] + "  "}, 0)

    assert essay.revision == 1
    assert not EssayVersion.objects.exists()


def test_after_a_refused_submit_the_page_goes_on_from_the_copy_it_saved(member, session):
    essay = services.essay_for(member, session=session, now=AFTER)
    essay = services.save_draft(
        member, essay=essay, revision=0, sections={**ORIGINAL, "proposals": ""}, plan=PLAN
    )
    with pytest.raises(EssayError) as refused:
        services.submit_essay(member, essay=essay, now=AFTER)

    completed = services.save_draft(
        member, essay=essay, revision=essay.revision, sections=ORIGINAL, plan=PLAN
    )
    submitted = services.submit_essay(member, essay=completed, now=AFTER)

    assert refused.value.code == "section_missing"
    assert Essay.objects.get().revision == submitted.revision
    assert submitted.status == Essay.Status.SUBMITTED
    assert submitted.proposals == ORIGINAL["proposals"]


def test_a_stale_tab_writing_after_a_submit_elsewhere_is_refused_but_kept(member, session, write):
    essay = write(member, session, ORIGINAL)

    with pytest.raises(EssayError) as refused:
        services.save_draft(
            member, essay=essay, revision=1, sections=INDEPENDENT[0], plan=PLAN, now=AFTER
        )

    essay.refresh_from_db()
    assert refused.value.code == "not_editable"
    assert essay.understanding == ORIGINAL["understanding"]
    kept = essay.versions.get()
    assert kept.sections["understanding"] == INDEPENDENT[0]["understanding"]
