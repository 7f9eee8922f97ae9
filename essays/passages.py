"""Matched passages beside a flagged essay, and passages dismissed for a session.

The grader of an essay flagged as similar to another (essays.models.Match), or as restating the
documents studied, sees the passages both texts share side by side (essays.similarity finds them
on the texts themselves). A passage every essay shares because it is the template or a quotation
of the resolution is dismissed for the session: its shingles leave every score of the session
(the essays' signatures, their overlap with the documents, and so their matches), which are
recomputed at once, and the passages shown. A dismissal is kept when undone (restored).
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from essays import routing, similarity
from essays.errors import PassageError
from essays.models import DismissedPassage, Essay, Match
from members import permissions
from members.models import User
from members.services import record_audit
from study.models import StudySession

# The share of an essay restating the documents from which it is flagged (restates()).
RESTATING = 0.5
CONTEXT_WORDS = 8  # words shown around a passage, on either side
TEXT_FIELDS = ("understanding", "relation", "proposals", "plan", "upload_text")  # Essay.text()


def documents_text(session: StudySession) -> str:
    """The text of the documents a session studies, which its essays are checked against."""
    return "\n".join(d.text or d.summary for d in session.documents.all())


def dismissed_passages(session: StudySession) -> QuerySet[DismissedPassage]:
    """The passages of the session dismissed and not restored, newest first."""
    return DismissedPassage.objects.filter(
        session=session, restored_at__isnull=True
    ).select_related("dismissed_by")


def dismissed_shingles(session: StudySession) -> frozenset[str]:
    """The shingles every score and matched passage of the session leaves out."""
    folded = dismissed_passages(session).values_list("folded", flat=True)
    return similarity.shingles_of_passages(folded)


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


@dataclass(frozen=True)
class Side:
    """A passage in one text, with a few words of context on either side."""

    before: str
    text: str
    after: str
    share: float  # of the words of its own text

    @property
    def percent(self) -> str:
        return _percent(self.share)


@dataclass(frozen=True)
class PassagePair:
    number: int
    mine: Side
    theirs: Side
    folded: str  # what the dismissal form sends back
    # How many of the cell's compared essays hold it word for word: all of them, it is likely
    # the template or a quotation; two, likely a copy.
    held_by: int = 0


@dataclass
class Comparison:
    """The essay beside one other text: an essay of its cell, or (other None) the documents."""

    other: Essay | None
    score: float  # the figure it was flagged with
    passages: list[PassagePair] = field(default_factory=list)

    @property
    def mine_percent(self) -> str:
        return _percent(sum(p.mine.share for p in self.passages))

    @property
    def theirs_percent(self) -> str:
        return _percent(sum(p.theirs.share for p in self.passages))

    @property
    def score_percent(self) -> str:
        return _percent(self.score)


@dataclass
class Panel:
    comparisons: list[Comparison]
    dismissed: list[DismissedPassage]
    cell_essays: int = 0  # the compared essays of the essay's cell (held_by counts among them)

    def __bool__(self) -> bool:
        return bool(self.comparisons or self.dismissed)


def _side(text: str, words: similarity.Words, first: int, count: int) -> Side:
    start, end = words.span(first, count)
    before_from = max(first - CONTEXT_WORDS, 0)
    after_to = min(first + count + CONTEXT_WORDS, len(words)) - 1
    before = text[words.starts[before_from] : start]
    after = text[end : words.ends[after_to]]
    return Side(
        before=("… " if before_from else "") + before,
        text=text[start:end],
        after=after + (" …" if after_to < len(words) - 1 else ""),
        share=count / len(words),
    )


def pairs(mine: str, theirs: str, *, without: Iterable[str] = frozenset()) -> list[PassagePair]:
    """The passages two texts share, as the grading page shows them."""
    mine_words, their_words = similarity.words(mine), similarity.words(theirs)
    return [
        PassagePair(
            number=number,
            mine=_side(mine, mine_words, p.first, p.length),
            theirs=_side(theirs, their_words, p.other, p.length),
            folded=" ".join(mine_words.folded[p.first : p.first + p.length]),
        )
        for number, p in enumerate(
            similarity.matched_passages(mine_words, their_words, without=without), start=1
        )
    ]


def restates(essay: Essay) -> bool:
    """Whether the essay is flagged as restating the documents it studied."""
    return essay.document_overlap is not None and essay.document_overlap >= RESTATING


def panel(essay: Essay) -> Panel:
    """What the grader of the essay sees: the passages it shares with each essay it is flagged
    as similar to (its matches, prefetched with their essays) and with the documents when it is
    flagged as restating them; and the session's dismissed passages."""
    session = essay.participant.session
    dismissed = list(dismissed_passages(session))
    without = similarity.shingles_of_passages(d.folded for d in dismissed)
    text = essay.text()
    comparisons = [
        Comparison(match.other, match.score, pairs(text, match.other.text(), without=without))
        for match in essay.matches.all()
    ]
    if restates(essay):
        documents = documents_text(session)
        comparisons.append(
            Comparison(None, essay.document_overlap, pairs(text, documents, without=without))
        )
    if not any(c.passages for c in comparisons):
        return Panel(comparisons, dismissed)
    cell = _cell_words(essay)
    for comparison in comparisons:
        comparison.passages = [
            replace(p, held_by=sum(f" {p.folded} " in words for words in cell))
            for p in comparison.passages
        ]
    return Panel(comparisons, dismissed, len(cell))


def _cell_words(essay: Essay) -> list[str]:
    """The folded words of each compared essay of the essay's cell, space-joined and padded."""
    texts = Essay.objects.filter(
        participant__session_id=essay.participant.session_id,
        participant__organization_id=essay.participant.organization_id,
        signature__isnull=False,
    ).only(*TEXT_FIELDS)
    return [f" {' '.join(similarity.words(e.text()).folded)} " for e in texts]


def _check_grader(actor: User, essay: Essay) -> None:
    """The graders of a session dismiss its passages: whoever may grade the essay at hand."""
    if not permissions.can(actor, permissions.ESSAYS_GRADE, essay):
        raise PassageError("out_of_reach")
    if not routing.may_grade(actor, essay):
        raise PassageError("needs_level_above")


def _located(essay: Essay, folded: str) -> str:
    """The passage (folded words) as written in the essay; refused when it is not in it."""
    wanted = folded.split()
    if len(wanted) < similarity.MIN_WORDS:
        raise PassageError("passage_too_short", words=similarity.MIN_WORDS)
    text = essay.text()
    words = similarity.words(text)
    joined = f" {' '.join(words.folded)} "
    at = joined.find(f" {' '.join(wanted)} ")
    if at < 0:
        raise PassageError("passage_not_in_essay")
    first = joined.count(" ", 0, at)  # the words before it
    start, end = words.span(first, len(wanted))
    return text[start:end]


def _locked(session: StudySession) -> StudySession:
    """One change of a session's dismissals at a time: each rescoring then sees all the
    dismissals committed before it, and two graders at once leave the scores of both."""
    return StudySession.objects.select_for_update(no_key=True).get(pk=session.pk)


@transaction.atomic
def dismiss_passage(
    actor: User, *, essay: Essay, folded: str, now: datetime | None = None
) -> DismissedPassage:
    """Dismiss a passage of the essay for its whole session, then rescore the session. The
    same passage dismissed twice (two graders at once) is one dismissal."""
    _check_grader(actor, essay)
    folded = " ".join(similarity.words(folded).folded)
    written = _located(essay, folded)
    session = _locked(essay.participant.session)
    key = hashlib.sha256(folded.encode()).hexdigest()
    kept = dismissed_passages(session).filter(key=key).first()
    if kept is not None:
        return kept
    try:
        with transaction.atomic():
            dismissal = DismissedPassage.objects.create(
                session=session,
                folded=folded,
                key=key,
                text=written,
                essay=essay,
                dismissed_by=actor,
                dismissed_at=now or timezone.now(),
            )
    except IntegrityError:  # dismissed by another grader meanwhile
        return dismissed_passages(session).get(key=key)
    record_audit(
        actor,
        action="essays.dismiss_passage",
        obj=dismissal,
        organization=session.organizer,
        after={"essay": essay.pk, "passage": written},
    )
    rescore_session(session)
    return dismissal


@transaction.atomic
def restore_passage(
    actor: User, *, essay: Essay, dismissal_id: int, now: datetime | None = None
) -> DismissedPassage:
    """Undo a dismissal (seen from an essay of its session): the passage counts again."""
    _check_grader(actor, essay)
    session = _locked(essay.participant.session)
    dismissal = DismissedPassage.objects.filter(
        pk=dismissal_id, session=session, restored_at__isnull=True
    ).first()
    if dismissal is None:
        raise PassageError("not_dismissed")
    dismissal.restored_by = actor
    dismissal.restored_at = now or timezone.now()
    dismissal.save(update_fields=["restored_by", "restored_at"])
    record_audit(
        actor,
        action="essays.restore_passage",
        obj=dismissal,
        organization=session.organizer,
        before={"passage": dismissal.text},
    )
    rescore_session(session)
    return dismissal


def rescore_session(session: StudySession) -> int:
    """Recompute, leaving out the dismissed passages, every compared essay of the session: its
    signature, its overlap with the documents and its matches within its cell (the rule of
    essays.services._compare: similarity.closest_among). Returns how many essays were rescored."""
    without = dismissed_shingles(session)
    documents = similarity.shingles(documents_text(session))
    essays = list(
        Essay.objects.filter(participant__session=session, signature__isnull=False)
        .select_related("participant")
        .only(*TEXT_FIELDS, "participant__organization")
    )
    by_cell = defaultdict(list)
    for essay in essays:
        shingles = similarity.shingles(essay.text(), without=without)
        essay.signature = similarity.signature_of(shingles)
        essay.document_overlap = similarity.share_in(shingles, documents)
        by_cell[essay.participant.organization_id].append(essay)
    Essay.objects.bulk_update(essays, ["signature", "document_overlap"], batch_size=500)
    scores = {}
    for cell in by_cell.values():
        closest = similarity.closest_among([(essay.pk, essay.signature) for essay in cell])
        for mine, kept in closest.items():
            for score, theirs in kept:
                scores[mine, theirs] = scores[theirs, mine] = score
    Match.objects.filter(essay__participant__session=session).delete()
    Match.objects.bulk_create(
        Match(essay_id=mine, other_id=theirs, score=score)
        for (mine, theirs), score in scores.items()
    )
    return len(essays)
