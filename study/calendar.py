"""A member's sessions as an iCalendar feed the phone's calendar subscribes to."""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from study.models import StudySession


def session_feed(sessions, *, name: str) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        calendar = Calendar()
        calendar.add("prodid", "-//hoctap//lich hoc tap//VI")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", _("Study sessions — %(name)s") % {"name": name})
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
        stamp = timezone.now()
        for session in sessions:
            calendar.add_component(_event(session, stamp))
        calendar.add_missing_timezones()
        return calendar.to_ical()


def _event(session: StudySession, stamp) -> Event:
    event = Event()
    url = settings.HOCTAP_BASE_URL + session.get_absolute_url()
    event.add("uid", f"session-{session.pk}@hoctap")
    event.add("summary", session.title)
    event.add("dtstart", timezone.localtime(session.starts_at))
    event.add("dtend", timezone.localtime(session.ends_at))
    event.add("dtstamp", stamp)
    event.add("sequence", session.revision)
    cancelled = session.status == StudySession.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if session.venue or session.meeting_url:
        event.add("location", session.venue or session.meeting_url)
    event.add("url", url)
    lines = [_("Organised by: %(name)s") % {"name": session.organizer.name}]
    lines += [
        f"{segment.name}: {timezone.localtime(segment.starts_at):%H:%M} - "
        f"{timezone.localtime(segment.ends_at):%H:%M}"
        for segment in session.segments.all()
    ]
    if session.meeting_url:
        lines.append(_("Meeting link: %(url)s") % {"url": session.meeting_url})
    lines += [f"{d.number}: {d.title}" for d in session.documents.all()]
    lines.append(url)
    event.add("description", "\n".join(lines))
    return event
