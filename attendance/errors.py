from django.utils.translation import gettext_lazy as _

from members.errors import DomainError


class AttendanceError(DomainError):
    messages = {
        "qr_invalid": _("This code is not a hoctap attendance code, or it has been altered."),
        "qr_expired": _(
            "This code has expired: the code on the screen changes every few seconds. "
            "Scan the one showing now."
        ),
        "qr_not_yet": _(
            "This code was not valid yet at the time of the scan. Scan the code showing on the "
            "screen now."
        ),
        "code_unknown": _("No open check-in matches this code. Check the digits on the screen."),
        "held_scan_expired": _(
            "Your scan was more than 10 minutes ago. Scan the code on the screen again."
        ),
        "session_not_open": _("This session is %(status)s: attendance is not being taken."),
        "not_yet_open": _("Check-in for %(segment)s opens at %(time)s."),
        "already_over": _("%(segment)s is over: attendance can no longer be recorded."),
        "not_expected": _(
            "You are not on the list of expected participants of this session. "
            "Ask the secretary to add you."
        ),
        "checkout_without_checkin": _("You have not checked in to %(segment)s yet."),
        "no_checkout": _("%(segment)s has no check-out."),
        "out_of_reach": _("You do not manage this participant."),
        "not_online": _(
            "This session is held in a hall only: check in with the code on the screen."
        ),
        "card_unknown": _("No member of your organisations matches this QR or card number."),
        "card_not_expected": _("%(name)s is not on the list of this session."),
        "door_refused": _("%(name)s is not checked in: %(reason)s"),
        "code_too_many": _(
            "Too many wrong codes. Wait ten minutes, or ask the secretary to mark you present."
        ),
        "prompt_missed": _("Too late: a presence prompt must be answered within two minutes."),
        "bad_status": _("Choose present, late or absent."),
        "already_decided": _("This request has already been decided."),
        "already_asked": _("You have already asked; the secretary will decide."),
        "not_your_participation": _("You are not an expected participant of this session."),
        "bad_decision": _("Accept or refuse."),
        "reason_missing": _("Give a reason for the change."),
        "queued_future": _(
            "This scan is dated after it was sent: the phone's clock changed meanwhile. "
            "Scan the code on the screen again."
        ),
        "queued_other_member": _(
            "This scan was kept while another member was logged in on this phone: it is not "
            "recorded for you."
        ),
        "door_queued_too_late": _(
            "This scan reached the server more than %(minutes)s minutes after it was made: "
            "check the member in again, or mark them on the sheet."
        ),
        "queued_too_late": _(
            "This scan reached the server more than %(minutes)s minutes after it was made. "
            "Scan the code on the screen again, or ask the secretary to mark you."
        ),
    }


class DoorError(AttendanceError):
    """A refusal at the door scanner about a member within the secretary's reach: the page
    names them. An unknown card, or one outside the secretary's reach, is a plain
    AttendanceError that names nobody."""

    def __init__(self, code: str, *, member, **params: object) -> None:
        super().__init__(code, name=member.full_name, **params)
        self.member = member
