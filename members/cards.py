"""A member's personal QR, for members whose phone cannot scan: the secretary scans theirs.

It holds a signed reference to the member, not the card number itself, so that it cannot be
made up from a number printed elsewhere.
"""

from django.core import signing

_SALT = "hoctap.member-card"
PREFIX = "HTDV:"


def card_code(user_id: int) -> str:
    return PREFIX + signing.Signer(salt=_SALT).sign(str(user_id))


def read_card_code(text: str) -> int | None:
    """The user id in a personal QR, or None if it is not one of ours."""
    text = (text or "").strip()
    if not text.startswith(PREFIX):
        return None
    try:
        return int(signing.Signer(salt=_SALT).unsign(text[len(PREFIX) :]))
    except (signing.BadSignature, ValueError):
        return None


def card_svg(user_id: int) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(
        card_code(user_id), image_factory=qrcode.image.svg.SvgPathImage, box_size=12
    )
    return image.to_string(encoding="unicode")
