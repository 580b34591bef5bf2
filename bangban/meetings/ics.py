"""The meeting's calendar invitation (iCalendar, RFC 5545), for Outlook, WPS and phone
calendars.

The UID stays the same for the meeting's whole life and SEQUENCE is its revision (raised at
each reschedule and at cancellation), so a calendar that imports the file again updates the
event instead of adding a second one. Times are given in Asia/Shanghai with its VTIMEZONE.
"""

import zoneinfo

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from bangban.meetings.workflow import MeetingState, Reply

CHINA = zoneinfo.ZoneInfo("Asia/Shanghai")
PRODID = "-//Bangban//Joint meetings//ZH"
PARTSTAT = {
    Reply.PENDING: "NEEDS-ACTION",
    Reply.ATTEND: "ACCEPTED",
    Reply.DECLINE: "DECLINED",
}


def event_uid(meeting):
    return f"meeting-{meeting.uid}@bangban"


def _address(email, fallback):
    """A calendar user address: the e-mail when there is one (and may be shown), else a
    stable URN (the invitation still lists the person by name)."""
    return vCalAddress(f"mailto:{email}" if email else f"urn:x-bangban:{fallback}")


def _organizer(meeting):
    user = meeting.convened_by
    organizer = _address(user.email, f"user:{user.pk}")
    organizer.params["CN"] = vText(user.display_name)
    return organizer


def _attendee(attendee, addresses):
    address = _address(attendee.email if addresses else "", f"attendee:{attendee.pk}")
    address.params["CN"] = vText(attendee.name)
    address.params["ROLE"] = "REQ-PARTICIPANT"
    address.params["PARTSTAT"] = PARTSTAT[attendee.reply]
    address.params["CUTYPE"] = "INDIVIDUAL"
    if attendee.organisation:
        address.params["X-ORGANISATION"] = vText(attendee.organisation)
    return address


def meeting_calendar(meeting, attendees, *, addresses=True):
    """The invitation to `meeting` as a Calendar; `attendees` are its MeetingAttendee rows.
    Without `addresses` (the company's copy) the invitees' e-mail addresses are left out."""
    cancelled = meeting.state == MeetingState.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", event_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("created", meeting.created_at)
    event.add("last-modified", meeting.updated_at)
    event.add("dtstart", meeting.starts_at.astimezone(CHINA))
    event.add("dtend", meeting.ends_at.astimezone(CHINA))
    event.add("summary", f"{meeting.get_kind_display()}：{meeting.title}")
    event.add("description", meeting.agenda)
    if meeting.place:
        event.add("location", meeting.place)
    if meeting.video_link:
        event.add("url", meeting.video_link)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", _organizer(meeting))
    for attendee in attendees:
        event.add("attendee", _attendee(attendee, addresses))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar


def meeting_ics(meeting, attendees, *, addresses=True):
    """The invitation as the bytes of an .ics file."""
    return meeting_calendar(meeting, attendees, addresses=addresses).to_ical()
