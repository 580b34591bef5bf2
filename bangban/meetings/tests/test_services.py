import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bangban.cases.models import LedgerEntry
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.deadlines.workdays import add_working_days
from bangban.meetings import services
from bangban.meetings.models import Meeting, MeetingAction, MeetingAttendee, MeetingEntry
from bangban.meetings.tests.conftest import DAY, HOUR, convene, meeting_in_state, move_to_past
from bangban.meetings.workflow import ActionState, AttendeeKind, MeetingState, Reply
from bangban.notifications.models import Notification
from tests.factories import (
    AgencyFactory,
    CompanyContactFactory,
    MembershipFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


def _snapshot():
    return (Meeting.objects.count(), MeetingAttendee.objects.count(),
            MeetingAction.objects.count(), MeetingEntry.objects.count(),
            LedgerEntry.objects.count(), Notification.objects.count())


# ------------------------------------------------------------------------------ convene


def test_convene_invites_and_records(world):
    meeting = convene(world)
    assert meeting.state == MeetingState.SCHEDULED
    assert meeting.agency == world.case.agency and meeting.project == world.case.project
    kinds = sorted(meeting.attendees.values_list("kind", flat=True))
    assert kinds == sorted([AttendeeKind.DEPARTMENT, AttendeeKind.EXPERT,
                            AttendeeKind.EXTERNAL_EXPERT, AttendeeKind.COMPANY])
    external = meeting.attendees.get(kind=AttendeeKind.EXTERNAL_EXPERT)
    assert (external.name, external.organisation, external.user) == ("李工", "市设计院", None)
    department = meeting.attendees.get(user=world.department)
    assert department.department is not None and department.reply == Reply.PENDING
    invited = set(Notification.objects.filter(event="meeting_invited")
                  .values_list("recipient", flat=True))
    assert invited == {world.department.pk, world.expert.pk, world.applicant.pk}
    assert LedgerEntry.objects.filter(case=world.case, action="meeting_convene").count() == 1
    assert MeetingEntry.objects.filter(meeting=meeting, action="convene").exists()


def test_convene_on_a_new_project_writes_no_ledger(world):
    meeting = convene(world, case=None, agency=world.case.agency,
                      new_project_name="高端铝材深加工项目", company_contacts=[])
    assert meeting.case is None and meeting.subject_name == "高端铝材深加工项目"
    assert not LedgerEntry.objects.filter(action__startswith="meeting_").exists()


@pytest.mark.parametrize("user", ["specialist", "supervisor", "department", "applicant",
                                  "outsider"])
def test_only_a_chief_convenes(world, user):
    before = _snapshot()
    with pytest.raises(NotAllowed):
        convene(world, by=getattr(world, user))
    assert _snapshot() == before


def test_chief_of_another_agency_cannot_convene_on_the_case(world):
    other = MembershipFactory(agency=AgencyFactory(), role="chief_specialist").user
    with pytest.raises(NotAllowed):
        convene(world, by=other)


@pytest.mark.parametrize("overrides, field", [
    ({"title": "  "}, "title"),
    ({"agenda": ""}, "agenda"),
    ({"place": "", "video_link": ""}, "place"),
    ({"kind": "party"}, "kind"),
    ({"starts_in": -HOUR}, "starts_at"),
    ({"representatives": [], "experts": [], "external_experts": [],
      "company_contacts": []}, None),
])
def test_convene_bad_input_changes_nothing(world, overrides, field):
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        convene(world, **overrides)
    if field:
        assert field in error.value.message_dict
    assert _snapshot() == before


def test_convene_checks_attendee_roles(world):
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        convene(world, representatives=[world.outsider])
    assert "representatives" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        convene(world, experts=[world.department])
    assert "experts" in error.value.message_dict
    other_contact = world.other_applicant.company_contacts.get()
    with pytest.raises(ValidationError) as error:
        convene(world, company_contacts=[other_contact])
    assert "company_contacts" in error.value.message_dict
    no_account = CompanyContactFactory(company=world.case.project.company, user=None)
    with pytest.raises(ValidationError) as error:
        convene(world, company_contacts=[no_account])
    assert "company_contacts" in error.value.message_dict
    assert _snapshot() == before


def test_convene_end_before_start_is_refused(world):
    start = timezone.now() + DAY
    with pytest.raises(ValidationError) as error:
        convene(world, starts_at=start, ends_at=start - HOUR)
    assert "ends_at" in error.value.message_dict


def test_convene_on_a_registered_project_uses_its_agency(world):
    project = ProjectFactory(agency=world.case.agency, company=world.case.project.company)
    meeting = convene(world, case=None, project=project)
    assert meeting.agency == project.agency and meeting.project == project


# ------------------------------------------------------------------------------ schedule


def test_reschedule_bumps_sequence_and_resets_replies(world):
    meeting = convene(world)
    services.reply_to_invitation(meeting=meeting, by=world.department, reply=Reply.ATTEND)
    start = meeting.starts_at + DAY
    meeting = services.reschedule_meeting(meeting=meeting, by=world.chief, starts_at=start,
                                          ends_at=start + HOUR, place="线上会议",
                                          reason="主要领导出差")
    assert meeting.sequence == 1 and meeting.starts_at == start
    assert set(meeting.attendees.values_list("reply", flat=True)) == {Reply.PENDING}
    assert Notification.objects.filter(event="meeting_rescheduled").count() == 3
    assert LedgerEntry.objects.filter(action="meeting_reschedule").count() == 1


def test_reschedule_without_change_or_reason_changes_nothing(world):
    meeting = convene(world)
    before = _snapshot()
    with pytest.raises(ValidationError):
        services.reschedule_meeting(meeting=meeting, by=world.chief,
                                    starts_at=meeting.starts_at, ends_at=meeting.ends_at,
                                    place=meeting.place, reason="不变")
    with pytest.raises(ValidationError):
        services.reschedule_meeting(meeting=meeting, by=world.chief,
                                    starts_at=meeting.starts_at + DAY,
                                    ends_at=meeting.ends_at + DAY, place="x", reason=" ")
    meeting.refresh_from_db()
    assert meeting.sequence == 0 and _snapshot() == before


def test_cancel_and_again(world):
    meeting = convene(world)
    services.cancel_meeting(meeting=meeting, by=world.chief, reason="项目单位撤回申请")
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CANCELLED and meeting.sequence == 1
    with pytest.raises(InvalidTransition, match="Already done"):
        services.cancel_meeting(meeting=meeting, by=world.chief, reason="again")


def test_reply_by_invitee_only(world):
    meeting = convene(world)
    attendee = services.reply_to_invitation(meeting=meeting, by=world.applicant,
                                            reply=Reply.DECLINE, note="另派人员参加")
    assert attendee.reply == Reply.DECLINE and attendee.replied_at is not None
    assert Notification.objects.filter(event="meeting_reply", recipient=world.chief).exists()
    with pytest.raises(NotAllowed):
        services.reply_to_invitation(meeting=meeting, by=world.other_department,
                                     reply=Reply.ATTEND)
    with pytest.raises(ValidationError):
        services.reply_to_invitation(meeting=meeting, by=world.department, reply="maybe")
    assert meeting.attendees.get(user=world.department).reply == Reply.PENDING


# ------------------------------------------------------------------------------ minutes


def test_minutes_not_before_the_meeting(world):
    meeting = convene(world)
    with pytest.raises(InvalidTransition):
        services.record_minutes(meeting=meeting, by=world.chief, minutes="提前写")
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.SCHEDULED and meeting.minutes == ""


def test_decision_due_in_working_days(world):
    meeting = move_to_past(convene(world))
    services.record_minutes(meeting=meeting, by=world.chief, minutes="纪要")
    decision = services.add_decision(meeting=meeting, by=world.chief, text="补充材料",
                                     owner=world.applicant, working_days=3)
    day = timezone.localdate(meeting.starts_at)
    assert decision.due_date == add_working_days(day, 3, agency=meeting.agency)
    assert decision.state == ActionState.OPEN


@pytest.mark.parametrize("kwargs, field", [
    ({"text": " "}, "text"),
    ({"owner": "outsider"}, "owner"),
    ({"owner": "other_department"}, "owner"),
    ({"working_days": 0}, "working_days"),
    ({"working_days": 500}, "working_days"),
])
def test_bad_decision_changes_nothing(world, kwargs, field):
    meeting = move_to_past(convene(world))
    services.record_minutes(meeting=meeting, by=world.chief, minutes="纪要")
    arguments = {"text": "出具意见", "owner": world.department, "working_days": 5, **kwargs}
    if isinstance(arguments["owner"], str):
        arguments["owner"] = getattr(world, arguments["owner"])
    before = _snapshot()
    with pytest.raises(ValidationError) as error:
        services.add_decision(meeting=meeting, by=world.chief, **arguments)
    assert field in error.value.message_dict
    assert _snapshot() == before


def test_publish_pushes_minutes_and_locks_them(world):
    meeting = meeting_in_state(world, MeetingState.HELD)
    Notification.objects.all().delete()
    services.publish_minutes(meeting=meeting, by=world.chief)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.PUBLISHED and meeting.published_at is not None
    pushed = set(Notification.objects.filter(event="meeting_minutes_published")
                 .values_list("recipient", flat=True))
    assert pushed == {world.department.pk, world.expert.pk, world.applicant.pk,
                      world.specialist.pk}
    assert Notification.objects.filter(event="meeting_action_assigned",
                                       recipient=world.department).count() == 1
    assert LedgerEntry.objects.filter(action="meeting_publish").count() == 1
    with pytest.raises(InvalidTransition):
        services.record_minutes(meeting=meeting, by=world.chief, minutes="改写")
    with pytest.raises(InvalidTransition):
        services.add_decision(meeting=meeting, by=world.chief, text="新增",
                              owner=world.department, working_days=2)
    with pytest.raises(InvalidTransition):
        services.remove_decision(meeting=meeting, by=world.chief,
                                 decision=meeting.actions.get())
    meeting.refresh_from_db()
    assert meeting.minutes == "会议议定如下。" and meeting.actions.count() == 1


def test_publish_needs_minutes(world):
    meeting = move_to_past(convene(world))
    Meeting.objects.filter(pk=meeting.pk).update(state=MeetingState.HELD)
    with pytest.raises(ValidationError):
        services.publish_minutes(meeting=meeting, by=world.chief)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.HELD


def test_correction_is_recorded_not_edited(world):
    meeting = meeting_in_state(world, MeetingState.PUBLISHED)
    services.correct_minutes(meeting=meeting, by=world.chief,
                             correction="第二项时限更正为七个工作日")
    meeting.refresh_from_db()
    assert meeting.minutes == "会议议定如下。"
    assert MeetingEntry.objects.filter(meeting=meeting, action="correct_minutes").count() == 1
    assert LedgerEntry.objects.filter(action="meeting_correct_minutes").count() == 1
    assert Notification.objects.filter(event="meeting_minutes_corrected").exists()


def test_remove_decision_from_draft(world):
    meeting = meeting_in_state(world, MeetingState.HELD)
    decision = meeting.actions.get()
    services.remove_decision(meeting=meeting, by=world.chief, decision=decision)
    assert not meeting.actions.exists()
    with pytest.raises(InvalidTransition, match="Already done"):
        services.remove_decision(meeting=meeting, by=world.chief, decision=decision)


# ------------------------------------------------------------------------------ actions


def test_owner_completes_action(world):
    meeting = meeting_in_state(world, MeetingState.PUBLISHED)
    decision = meeting.actions.get()
    with pytest.raises(NotAllowed):
        services.complete_action(action=decision, by=world.chief, note="代为完成")
    with pytest.raises(ValidationError):
        services.complete_action(action=decision, by=world.department, note=" ")
    decision.refresh_from_db()
    assert decision.state == ActionState.OPEN
    services.complete_action(action=decision, by=world.department, note="已出具规划条件")
    decision.refresh_from_db()
    assert decision.state == ActionState.DONE and decision.done_at is not None
    entry = LedgerEntry.objects.get(action="meeting_complete_action")
    assert entry.actor_role == "department_representative"
    assert Notification.objects.filter(event="meeting_action_done",
                                       recipient=world.chief).exists()
    with pytest.raises(InvalidTransition, match="Already done"):
        services.complete_action(action=decision, by=world.department, note="again")


def test_action_of_draft_minutes_cannot_be_completed(world):
    meeting = meeting_in_state(world, MeetingState.HELD)
    with pytest.raises(InvalidTransition):
        services.complete_action(action=meeting.actions.get(), by=world.department, note="x")


def test_overdue(world):
    meeting = meeting_in_state(world, MeetingState.PUBLISHED)
    decision = meeting.actions.get()
    assert not decision.is_overdue(today=decision.due_date)
    assert decision.is_overdue(today=decision.due_date + datetime.timedelta(days=1))
