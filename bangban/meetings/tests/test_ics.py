import zoneinfo

import pytest
from icalendar import Calendar

from bangban.meetings import services
from bangban.meetings.ics import event_uid, meeting_ics
from bangban.meetings.tests.conftest import DAY, HOUR, convene
from bangban.meetings.workflow import Reply

pytestmark = pytest.mark.django_db
CHINA = zoneinfo.ZoneInfo("Asia/Shanghai")


def _event(meeting):
    calendar = Calendar.from_ical(meeting_ics(meeting, meeting.attendees.all()))
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_invitation_parses_back(world):
    meeting = convene(world)
    services.reply_to_invitation(meeting=meeting, by=world.department, reply=Reply.ATTEND)
    calendar, event = _event(meeting)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert str(event["UID"]) == event_uid(meeting)
    assert int(event["SEQUENCE"]) == 0
    start = event.decoded("DTSTART")
    assert start == meeting.starts_at and str(start.tzinfo) == "Asia/Shanghai"
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert event.decoded("DTEND") == meeting.ends_at
    assert str(event["LOCATION"]) == meeting.place
    assert str(event["DESCRIPTION"]) == meeting.agenda
    attendees = event["ATTENDEE"]
    assert len(attendees) == 4
    by_name = {str(a.params["CN"]): a for a in attendees}
    assert by_name["李工"] == "mailto:li@example.com"
    assert by_name[world.department.display_name].params["PARTSTAT"] == "ACCEPTED"
    assert by_name[world.expert.display_name].params["PARTSTAT"] == "NEEDS-ACTION"
    assert str(event["ORGANIZER"].params["CN"]) == world.chief.display_name


def test_uid_stable_and_sequence_raised_on_reschedule(world):
    meeting = convene(world)
    _calendar, first = _event(meeting)
    start = meeting.starts_at + DAY
    meeting = services.reschedule_meeting(meeting=meeting, by=world.chief, starts_at=start,
                                          ends_at=start + HOUR, place="线上",
                                          video_link="https://meet.example.com/123",
                                          reason="改期")
    _calendar, second = _event(meeting)
    assert str(second["UID"]) == str(first["UID"])
    assert int(second["SEQUENCE"]) == 1
    assert second.decoded("DTSTART") == start
    assert str(second["URL"]) == "https://meet.example.com/123"


def test_cancelled_invitation(world):
    meeting = convene(world)
    meeting = services.cancel_meeting(meeting=meeting, by=world.chief, reason="取消")
    calendar, event = _event(meeting)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1
