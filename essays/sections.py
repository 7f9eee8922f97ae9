"""An essay written in Word (or PDF) read as the essay's four sections.

The uploaded file's text (members.uploads: a paragraph a line, a table row a line with its
cells joined by " | ") is split at the lines that head the four sections: understanding,
relation to one's work, proposals, personal action plan. Headings vary, so a line is compared
folded (no case, no diacritics, any Unicode form) after its numbering ("I.", "2)", "Phần 1:",
"Mục II -") is set aside, and it heads a section when it starts with one of the section's usual
words ("nhận thức", "liên hệ", "đề xuất", "kế hoạch"...). "III. Đề xuất: tôi đề xuất..." heads
the section with the rest of the line as its first text.

The text is split only when all four headings are found, in the essay's order; otherwise it
is kept whole and shown as not split (a wrong split would mislead the grader more than no
split). Text before the first heading (title, name, unit) is kept as the preamble. The split
is made when the text is shown, from the text kept at upload, so every page reads it alike.
"""

import re
from dataclasses import dataclass, field

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from essays.services import SECTIONS
from members.text import fold, nfc

NAMES = ("understanding", "relation", "proposals", "plan")
UNDERSTANDING, RELATION, PROPOSALS, PLAN = NAMES
PLAN_LABEL = _("My personal action plan")
LABELS = {**dict(SECTIONS), PLAN: PLAN_LABEL}

# How a heading may begin, folded (before its numbering is set aside). Longer phrases first.
HEADING_WORDS = {
    UNDERSTANDING: (
        "nhan thuc",
        "nhung noi dung",
        "noi dung co ban",
        "noi dung cot loi",
        "noi dung chu yeu",
        "nhung diem moi",
        "nhung van de",
        "tiep thu",
        "hieu biet",
        "what i understood",
        "understanding",
    ),
    RELATION: (
        "lien he",
        "van dung",
        "lien ket",
        "lien quan",
        "how it relates",
        "relation",
    ),
    PROPOSALS: (
        "de xuat",
        "kien nghi",
        "giai phap",
        "concrete proposals",
        "proposals",
    ),
    PLAN: (
        "ke hoach",
        "chuong trinh hanh dong",
        "hanh dong",
        "phuong huong",
        "cam ket",
        "my personal action plan",
        "personal action plan",
        "action plan",
    ),
}
# Numbering in front of a heading, folded: "phan 1", "phan thu hai", "muc ii", "chuong 3",
# "thu nhat,", a roman or arabic number ("iv", "2", "2.1") or a letter and its punctuation.
_ORDINAL = r"(?:[ivxlc]+|\d+|nhat|mot|hai|ba|bon|tu|nam)"
_NUMBERING = re.compile(
    r"^(?:(?:phan|muc|chuong)\s+(?:thu\s+)?" + _ORDINAL + r"\b\s*[.):\-]?"
    r"|thu\s+(?:nhat|hai|ba|tu|bon|nam)\s*[,.:\-]"
    r"|(?:[ivxlc]+|\d+(?:\.\d+)*|[a-e])\s*[.):\-]"
    r"|\d+\b)\s*"
)
# A heading is a short line; a table row (cells joined by " | ") never is one.
HEADING_MAX_WORDS = 14
PROPOSALS_FEW_WORDS = 30
NOT_SPLIT = _(
    "The file is attached, but its headings do not show the essay's four parts (understanding, "
    "relation to your work, proposals, action plan), so its text is kept whole. Give each part "
    "its heading, numbered or not, and upload it again if you want it read as sections."
)


def _heading_of(line: str) -> tuple[str, str] | None:
    """(section, text after the heading on the same line) when the line heads a section."""
    if " | " in line:
        return None
    candidates = [(line, "")]
    before, colon, after = line.partition(":")
    if colon and after.strip():
        candidates.insert(0, (before, after.strip()))
    for candidate, rest in candidates:
        folded = fold(candidate)
        folded = _NUMBERING.sub("", folded, count=1).lstrip(" .:-")
        if not folded or len(folded.split()) > HEADING_MAX_WORDS:
            continue
        for name in NAMES:
            if any(folded.startswith(word) for word in HEADING_WORDS[name]):
                return name, rest
    return None


@dataclass(frozen=True)
class Block:
    """A paragraph, or a table: a run of lines read from a Word table's rows."""

    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()


def blocks(text: str) -> list[Block]:
    """Text as its paragraphs and tables, in order, for a page to show tables as tables."""
    result: list[Block] = []
    lines: list[str] = []
    rows: list[tuple[str, ...]] = []
    for line in text.split("\n"):
        if " | " in line:
            if lines:
                result.append(Block(text="\n".join(lines)))
                lines = []
            rows.append(tuple(line.split(" | ")))
        else:
            if rows:
                result.append(Block(rows=tuple(rows)))
                rows = []
            lines.append(line)
    if lines and "\n".join(lines).strip():
        result.append(Block(text="\n".join(lines)))
    if rows:
        result.append(Block(rows=tuple(rows)))
    return result


@dataclass(frozen=True)
class UploadSections:
    """An uploaded text as sections: `parts` holds the four when split, nothing otherwise."""

    preamble: str
    parts: dict[str, str] = field(default_factory=dict)
    whole: str = ""

    @property
    def split(self) -> bool:
        return bool(self.parts)

    def labelled(self) -> list[tuple[str, str, list[Block]]]:
        """(name, label, blocks of its text) of each section, for a page."""
        return [(name, LABELS[name], blocks(self.parts.get(name, ""))) for name in NAMES]

    def whole_blocks(self) -> list[Block]:
        return blocks(self.whole)


def read(text: str) -> UploadSections:
    """Split an uploaded essay's text at its four headings, or keep it whole."""
    text = nfc(text).replace("\r\n", "\n").replace("\r", "\n").strip()
    lines: dict[str, list[str]] = {}
    preamble: list[str] = []
    current: list[str] = preamble
    found = 0
    for line in text.split("\n"):
        heading = _heading_of(line) if found < len(NAMES) else None
        if heading is not None and heading[0] == NAMES[found]:
            name, rest = heading
            current = lines.setdefault(name, [])
            if rest:
                current.append(rest)
            found += 1
            continue
        current.append(line)
    if found < len(NAMES):
        return UploadSections(preamble="", whole=text)
    return UploadSections(
        preamble="\n".join(preamble).strip(),
        parts={name: "\n".join(lines[name]).strip() for name in NAMES},
        whole=text,
    )


@dataclass(frozen=True)
class Section:
    name: str
    label: str
    typed: str  # typed on the page (the plan: its items, a line each)
    uploaded: str  # from the uploaded file, when it was split

    def uploaded_blocks(self) -> list[Block]:
        return blocks(self.uploaded)


class EssaySections:
    """An essay as its grader reads it: the four sections, each with what was typed and what
    the uploaded file says under that heading, or the file's text whole when not split."""

    def __init__(self, essay) -> None:
        self.essay = essay
        self.upload = read(essay.upload_text) if essay.upload_text else None

    @property
    def uploaded(self) -> bool:
        return self.upload is not None

    @property
    def split(self) -> bool:
        return self.upload is not None and self.upload.split

    @cached_property
    def sections(self) -> list[Section]:
        parts = self.upload.parts if self.upload is not None else {}
        typed = {name: getattr(self.essay, name) for name, _label in SECTIONS}
        return [
            Section(name, LABELS[name], typed.get(name, ""), parts.get(name, "")) for name in NAMES
        ]

    @property
    def plan_items(self) -> list[dict]:
        return list(self.essay.plan or [])

    def words(self, name: str) -> int:
        section = next(s for s in self.sections if s.name == name)
        return len(section.typed.split()) + len(section.uploaded.split())

    @property
    def few_proposals(self) -> bool:
        """Too short to hold proposals of one's own; unknown (False) for an unsplit file."""
        if self.uploaded and not self.split:
            return False
        return self.words(PROPOSALS) < PROPOSALS_FEW_WORDS
