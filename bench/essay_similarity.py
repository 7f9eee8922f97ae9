"""Comparing a session of essays (issue 6): 500 essays of about 1,000 words each.

Builds a synthetic session: essays made of Vietnamese sentences drawn at random from a pool
(so essays on one resolution share vocabulary but not sentences), and plants lightly edited
copies (sentences reordered, a few words changed). Measures what submission does for every
essay: its MinHash signature, its overlap with the documents, and the comparison with every
essay submitted before it. Reports time, peak memory, and copies found versus false alarms.

  .venv/bin/python bench/essay_similarity.py --essays 500 --words 1000 --copies 25
"""

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SYLLABLES = (  # noqa: SIM905 -- a word list reads better as prose
    "học tập nghị quyết đảng viên chi bộ đơn vị nhiệm vụ chính trị công tác đổi mới phương thức "
    "nâng cao chất lượng quán triệt kết luận cấp ủy người đứng đầu chương trình hành động kế hoạch "
    "giải pháp mục tiêu thời gian trách nhiệm thực hiện tổ chức hội nghị báo cáo viên điểm cầu "
    "trực tuyến văn bản thu hoạch đề xuất cụ thể kiểm tra giám sát đánh giá xếp loại tư tưởng đạo "
    "đức phong cách cán bộ cơ quan trung ương khối bộ ngành địa phương nhân dân phát triển kinh tế "
    "xã hội pháp luật hành chính cải cách thủ tục công nghệ thông tin số hóa dữ liệu quản lý"
).split()


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(SYLLABLES) for _ in range(rng.randint(12, 22))).capitalize() + "."


def essay_text(rng: random.Random, words: int) -> str:
    parts, count = [], 0
    while count < words:
        s = sentence(rng)
        parts.append(s)
        count += len(s.split())
    return " ".join(parts)


def light_edit(rng: random.Random, text: str) -> str:
    sentences = text.split(". ")
    rng.shuffle(sentences)
    words = " ".join(sentences).split()
    for _ in range(len(words) // 50):  # change one word in fifty
        words[rng.randrange(len(words))] = rng.choice(SYLLABLES)
    return " ".join(words)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--essays", type=int, default=500)
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--copies", type=int, default=25)
    args = parser.parse_args()

    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from essays.similarity import SIMILAR_ENOUGH, restated_share, signature, similarity

    rng = random.Random(328)
    originals = [essay_text(rng, args.words) for _ in range(args.essays - args.copies)]
    copied_from = {len(originals) + i: rng.randrange(len(originals)) for i in range(args.copies)}
    texts = originals + [light_edit(rng, originals[source]) for source in copied_from.values()]
    document = essay_text(rng, 3000)

    started = time.perf_counter()
    signatures = [signature(text) for text in texts]
    signed = time.perf_counter()
    overlaps = [restated_share(text, document) for text in texts]
    overlapped = time.perf_counter()
    flagged = set()
    for i in range(len(signatures)):  # each submission against every earlier one
        for j in range(i):
            if similarity(signatures[i], signatures[j]) >= SIMILAR_ENOUGH:
                flagged.add((j, i))
    compared = time.perf_counter()

    planted = {(source, copy) for copy, source in copied_from.items()}
    result = {
        "essays": len(texts),
        "words_each": args.words,
        "signatures_s": round(signed - started, 2),
        "document_overlap_s": round(overlapped - signed, 2),
        "all_pairs_compared": len(texts) * (len(texts) - 1) // 2,
        "pair_comparisons_s": round(compared - overlapped, 2),
        "per_submission_ms": round(1000 * (compared - started) / len(texts), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "copies_planted": len(planted),
        "copies_found": len(planted & flagged),
        "false_alarms": len(flagged - planted),
        "max_document_overlap": round(max(overlaps), 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
