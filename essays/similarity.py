"""Near-copies among a session's essays, and essays that only restate the document.

Vietnamese text is folded (NFC, no case, no diacritics, đ→d) and cut into 3-syllable shingles;
word order inside a sentence survives, sentence order does not matter, and a changed name
changes only the few shingles around it. MinHash (datasketch) estimates the Jaccard similarity
of two essays from 128-number signatures stored on each essay, so a new essay is compared with
hundreds of others without re-reading them.
"""

import re

import numpy as np
from datasketch import MinHash

from members.text import fold

NUM_PERM = 128
SHINGLE = 3
_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str) -> set[str]:
    words = _WORD.findall(fold(text))
    if len(words) < SHINGLE:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def signature(text: str) -> bytes:
    minhash = MinHash(num_perm=NUM_PERM, seed=328)
    minhash.update_batch([s.encode() for s in shingles(text)])
    return minhash.hashvalues.astype(np.uint64).tobytes()


def similarity(first: bytes, second: bytes) -> float:
    """Estimated Jaccard similarity of two signatures (0 to 1)."""
    a = np.frombuffer(first, dtype=np.uint64)
    b = np.frombuffer(second, dtype=np.uint64)
    return float(np.count_nonzero(a == b)) / NUM_PERM


def restated_share(essay_text: str, document_text: str) -> float:
    """Share of the essay's shingles found in the documents: near 1 = the essay copies them."""
    essay = shingles(essay_text)
    if not essay or not document_text.strip():
        return 0.0
    return len(essay & shingles(document_text)) / len(essay)
