"""Near-copies among a session's essays, essays that only restate the document, and the passages
two texts share.

Vietnamese text is folded (NFC, no case, no diacritics, đ→d) and cut into 3-syllable shingles;
word order inside a sentence survives, sentence order does not matter, and a changed name
changes only the few shingles around it. MinHash (datasketch) estimates the Jaccard similarity
of two essays from 128-number signatures stored on each essay, so a new essay is compared with
hundreds of others without re-reading them.

The passages themselves are found exactly, on the two texts: runs of shingles the texts share in
the same order, tiled longest first so that each word belongs to one passage at most (greedy
string tiling). Every word keeps its offsets in the text as written, so a passage is shown in
the author's own words. Shingles a session's graders dismissed (the template, a quotation of the
resolution) are left out of the scores and the passages alike (`without`).
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from members.text import fold

NUM_PERM = 128
SHINGLE = 3
SIMILAR_ENOUGH = 0.3  # the estimated Jaccard similarity from which two essays are flagged
MATCHES_KEPT = 3  # an essay is flagged with its closest essays, at most this many
# Shorter shared runs are the vocabulary of the resolution, not a copied passage: five
# independent essays on Conclusion 328 share none this long (tests/essays/test_passages.py).
MIN_WORDS = 8
# A shingle found more often than this in one text is boilerplate, and would make the search
# quadratic: it matches nothing (the bound that keeps a long essay fast).
MAX_PLACES = 20
# A word is word characters, with any combining marks of text that was not NFC.
_WORD = re.compile(r"\w[\w\u0300-\u036f]*", re.UNICODE)


@dataclass(frozen=True)
class Words:
    """A text's folded words and, for each, where it stands in the text as written."""

    folded: list[str]
    starts: list[int]
    ends: list[int]

    def __len__(self) -> int:
        return len(self.folded)

    def span(self, first: int, count: int) -> tuple[int, int]:
        """Offsets in the text of `count` words from word `first`."""
        return self.starts[first], self.ends[first + count - 1]


# Vietnamese has a few thousand syllables: folding each once is what makes a session fast.
_fold_word = lru_cache(maxsize=1 << 16)(fold)


def words(text: str) -> Words:
    folded, starts, ends = [], [], []
    for match in _WORD.finditer(text or ""):
        word = _fold_word(match.group())
        if word:
            folded.append(word)
            starts.append(match.start())
            ends.append(match.end())
    return Words(folded, starts, ends)


def shingle_list(folded: list[str]) -> list[str]:
    """The shingle starting at each word (a text shorter than a shingle is one)."""
    if len(folded) < SHINGLE:
        return [" ".join(folded)] if folded else []
    return [" ".join(folded[i : i + SHINGLE]) for i in range(len(folded) - SHINGLE + 1)]


def shingles(text: str, *, without: Iterable[str] = frozenset()) -> set[str]:
    return set(shingle_list(words(text).folded)).difference(without)


def shingles_of_passages(passages: Iterable[str]) -> frozenset[str]:
    """The shingles of passages given as folded words joined by spaces (dismissed ones)."""
    return frozenset(s for passage in passages for s in shingle_list(passage.split()))


def signature(text: str, *, without: Iterable[str] = frozenset()) -> bytes:
    return signature_of(shingles(text, without=without))


def signature_of(shingle_set: set[str]) -> bytes:
    minhash = MinHash(num_perm=NUM_PERM, seed=328)
    minhash.update_batch([s.encode() for s in shingle_set])
    return minhash.hashvalues.astype(np.uint64).tobytes()


def similarity(first: bytes, second: bytes) -> float:
    """Estimated Jaccard similarity of two signatures (0 to 1)."""
    a = np.frombuffer(first, dtype=np.uint64)
    b = np.frombuffer(second, dtype=np.uint64)
    return float(np.count_nonzero(a == b)) / NUM_PERM


def _kept(scores: np.ndarray, keys: list) -> list[tuple[float, object]]:
    """The rule an essay is flagged by: its MATCHES_KEPT closest, from SIMILAR_ENOUGH."""
    order = np.argsort(-scores, kind="stable")[:MATCHES_KEPT]
    return [(float(scores[i]), keys[i]) for i in order if scores[i] >= SIMILAR_ENOUGH]


def _matrix(signatures: list[bytes]) -> np.ndarray:
    return np.stack([np.frombuffer(s, dtype=np.uint64) for s in signatures])


def closest(mine: bytes, others: Iterable[tuple[object, bytes]]) -> list[tuple[float, object]]:
    """The others (key, signature) an essay is flagged with: (score, key), closest first."""
    others = list(others)
    if not others:
        return []
    theirs = _matrix([signature for _key, signature in others])
    scores = np.count_nonzero(theirs == np.frombuffer(mine, dtype=np.uint64), axis=1) / NUM_PERM
    return _kept(scores, [key for key, _signature in others])


def closest_among(essays: list[tuple[object, bytes]]) -> dict[object, list[tuple[float, object]]]:
    """closest() of each of the essays (key, signature) among the others, all pairs at once."""
    if not essays:
        return {}
    keys = [key for key, _signature in essays]
    matrix = _matrix([signature for _key, signature in essays])
    kept = {}
    for start in range(0, len(keys), 64):  # 64 rows at a time: bounded memory in a big cell
        rows = matrix[start : start + 64]
        scores = np.count_nonzero(rows[:, None, :] == matrix[None, :, :], axis=2) / NUM_PERM
        for offset, row in enumerate(scores):
            row[start + offset] = -1.0  # not itself
            kept[keys[start + offset]] = _kept(row, keys)
    return kept


def restated_share(
    essay_text: str, document_text: str, *, without: Iterable[str] = frozenset()
) -> float:
    """Share of the essay's shingles found in the documents: near 1 = the essay copies them."""
    return share_in(shingles(essay_text, without=without), shingles(document_text))


def share_in(essay: set[str], document: set[str]) -> float:
    """restated_share() of shingle sets (the documents' read once for a whole session)."""
    if not essay or not document:
        return 0.0
    return len(essay & document) / len(essay)


@dataclass(frozen=True)
class Passage:
    """`length` words shared by two texts: from word `first` of one, `other` of the other."""

    first: int
    other: int
    length: int


def _runs(a: list[str], b: list[str], left_out: set[str]) -> list[tuple[int, int, int]]:
    """Every maximal run of equal shingles (length, i, j): a[i + k] == b[j + k]."""
    places = defaultdict(list)
    for j, shingle in enumerate(b):
        places[shingle].append(j)
    left_out = left_out | {s for s, found in places.items() if len(found) > MAX_PLACES}
    left_out |= {s for s, n in _counts(a).items() if n > MAX_PLACES}
    runs = []
    for i, shingle in enumerate(a):
        if shingle in left_out:
            continue
        for j in places.get(shingle, ()):
            if i and j and a[i - 1] == b[j - 1] and a[i - 1] not in left_out:
                continue  # inside a run that starts earlier
            k = 1
            while i + k < len(a) and j + k < len(b) and a[i + k] == b[j + k]:
                if a[i + k] in left_out:
                    break
                k += 1
            runs.append((k, i, j))
    return runs


def _counts(items: list[str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        counts[item] += 1
    return counts


def matched_passages(
    first: Words, second: Words, *, without: Iterable[str] = frozenset()
) -> list[Passage]:
    """The passages two texts share, at least MIN_WORDS words each, in the first text's order.
    Each word of either text is in one passage at most; the longest are taken first."""
    if len(first) < SHINGLE or len(second) < SHINGLE:
        return []
    runs = _runs(shingle_list(first.folded), shingle_list(second.folded), set(without))
    runs.sort(key=lambda run: (-run[0], run[1], run[2]))
    taken_a = [False] * len(first)
    taken_b = [False] * len(second)
    passages = []
    for shingle_count, i, j in runs:
        if shingle_count + SHINGLE - 1 < MIN_WORDS:
            break  # sorted longest first: every run left is shorter
        # A run's words, less those an earlier (longer) passage took, in pieces.
        start = None
        for k in range(shingle_count + SHINGLE):
            free = k < shingle_count + SHINGLE - 1 and not taken_a[i + k] and not taken_b[j + k]
            if free and start is None:
                start = k
            elif not free and start is not None:
                if k - start >= MIN_WORDS:
                    passages.append(Passage(i + start, j + start, k - start))
                    for t in range(start, k):
                        taken_a[i + t] = taken_b[j + t] = True
                start = None
    return sorted(passages, key=lambda p: p.first)
