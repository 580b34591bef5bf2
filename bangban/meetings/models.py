"""联席会议: joint meetings, their attendees, the decisions of their minutes, and their record."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangban.core.models import TimeStampedModel
from bangban.meetings.workflow import (
    ActionState,
    AttendeeKind,
    MeetingKind,
    MeetingState,
    Reply,
)


class Meeting(TimeStampedModel):
    """A meeting convened by a chief specialist on a case, a registered project or a project
    not registered yet, and on the problems it is to settle (Binzhou 7.1.3). `uid` and
    `sequence` identify it and its revision in calendar invitations: the UID never changes,
    the sequence goes up at each reschedule."""

    uid = models.UUIDField(_("calendar UID"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("convening agency"), on_delete=models.PROTECT,
        related_name="meetings",
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="meetings",
    )
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="meetings",
    )
    new_project_name = models.CharField(
        _("new project"), max_length=200, blank=True,
        help_text=_("For a project that is not registered yet."),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices,
                            default=MeetingKind.JOINT)
    state = models.CharField(_("state"), max_length=16, choices=MeetingState.choices,
                             default=MeetingState.SCHEDULED, db_index=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(pgettext_lazy("meeting", "place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    agenda = models.TextField(_("agenda"))
    problems = models.ManyToManyField(
        "problems.Problem", verbose_name=_("problems on the agenda"), blank=True,
        related_name="meetings",
    )
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("convened by"), on_delete=models.PROTECT,
        related_name="+",
    )
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_recorded_at = models.DateTimeField(_("minutes recorded at"), null=True, blank=True)
    minutes_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("minutes recorded by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    published_at = models.DateTimeField(_("minutes published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("minutes published by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cancelled by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "starts_at"], name="meeting_agency_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="meeting_ends_after_start"),
        ]

    def __str__(self):
        return self.title

    @property
    def subject_name(self):
        """What the meeting is about: the project's name (registered or not)."""
        if self.project_id:
            return self.project.name
        return self.new_project_name

    def clean(self):
        errors = {}
        if not (self.place.strip() or self.video_link):
            errors["place"] = _("Give the place or a video link.")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The meeting must end after it starts.")
        if not (self.case_id or self.project_id or self.new_project_name.strip()):
            errors["new_project_name"] = _("Name the case, the project or the new project.")
        if errors:
            raise ValidationError(errors)


class MeetingAttendee(TimeStampedModel):
    """One invitation: a department representative, an expert (a user or an external expert
    named in free text) or a company contact, with the invitee's reply."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="attendees")
    kind = models.CharField(_("attends as"), max_length=16, choices=AttendeeKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="meeting_invitations",
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    company_contact = models.ForeignKey(
        "companies.CompanyContact", verbose_name=_("company contact"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=64)
    organisation = models.CharField(_("organisation"), max_length=128, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    reply = models.CharField(_("reply"), max_length=16, choices=Reply.choices,
                             default=Reply.PENDING)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    reply_note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("meeting attendee")
        verbose_name_plural = _("meeting attendees")
        ordering = ["meeting", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], condition=Q(user__isnull=False),
                                    name="meeting_attendee_unique_user"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == AttendeeKind.EXTERNAL_EXPERT:
            if self.user_id:
                raise ValidationError(_("An external expert has no user account."))
        elif not self.user_id:
            raise ValidationError({"user": _("Choose the person to invite.")})


class MeetingAction(TimeStampedModel):
    """A decision of the minutes (决定事项): its owner carries it out by the due date."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="actions")
    text = models.TextField(_("decision"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible"), on_delete=models.PROTECT,
        related_name="meeting_actions",
    )
    working_days = models.PositiveSmallIntegerField(
        _("working days"), validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    due_date = models.DateField(_("due date"), db_index=True)
    state = models.CharField(_("state"), max_length=8, choices=ActionState.choices,
                             default=ActionState.OPEN)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = models.TextField(_("what was done"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["owner", "state"], name="meeting_action_owner_idx")]

    def __str__(self):
        return self.text[:60]

    def is_overdue(self, today=None):
        return (self.state == ActionState.OPEN
                and self.due_date < (today or timezone.localdate()))


class MeetingEntry(models.Model):
    """The meeting's own record of every action on it, kept whether or not it is on a case;
    after publication, corrections to the minutes live here (action `correct_minutes`)."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE,
                                related_name="entries")
    action = models.CharField(_("action"), max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("meeting record entry")
        verbose_name_plural = _("meeting record entries")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.meeting} · {self.action}"
