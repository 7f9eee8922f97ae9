import pytest
from hypothesis import given
from hypothesis import strategies as st

from study.numbers import (
    DOCUMENT_TYPES,
    ISSUING_BODIES,
    DocumentNumber,
    DocumentNumberError,
    parse_document_number,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("328-KL/ĐUK", DocumentNumber(328, "KL", "ĐUK")),
        ("02-NQ/ĐUK", DocumentNumber(2, "NQ", "ĐUK")),
        ("04-CT/ĐUK", DocumentNumber(4, "CT", "ĐUK")),
        ("08-QĐi/TW", DocumentNumber(8, "QĐi", "TW")),
        ("144-KH/ĐUK", DocumentNumber(144, "KH", "ĐUK")),
        ("36-HD/VPTW", DocumentNumber(36, "HD", "VPTW")),
        ("05-CT/TW", DocumentNumber(5, "CT", "TW")),
        (" 328 - kl / ĐUK ", DocumentNumber(328, "KL", "ĐUK")),
        ("08-QĐI/TW", DocumentNumber(8, "QĐi", "TW")),
        ("15-CTr/BTGTW", DocumentNumber(15, "CTr", "BTGTW")),
    ],
)
def test_official_numbers_parse(text, expected):
    assert parse_document_number(text) == expected


def test_decomposed_d_stroke_body_is_normalised():
    import unicodedata

    assert parse_document_number(unicodedata.normalize("NFD", "328-KL/ĐUK")).body == "ĐUK"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "328",
        "328-KL",
        "KL/ĐUK",
        "328/KL-ĐUK",
        "328-XX/ĐUK",
        "0-KL/ĐUK",
        "328-KL/",
        "abc-KL/TW",
        "328-KL/đuk",
        "123456-KL/TW",
    ],
)
def test_malformed_numbers_are_refused(text):
    with pytest.raises(DocumentNumberError):
        parse_document_number(text)


@given(
    serial=st.integers(min_value=1, max_value=99999),
    type_code=st.sampled_from(sorted(DOCUMENT_TYPES)),
    body=st.sampled_from(sorted(ISSUING_BODIES)),
)
def test_any_well_formed_number_round_trips(serial, type_code, body):
    number = DocumentNumber(serial, type_code, body)

    assert parse_document_number(str(number)) == number


@given(st.text(alphabet="0123456789-/ KLNQĐUTWabc", max_size=15))
def test_parser_never_fails_other_than_invalid(text):
    try:
        number = parse_document_number(text)
    except DocumentNumberError:
        return
    assert number.serial >= 1 and number.type_code in DOCUMENT_TYPES
