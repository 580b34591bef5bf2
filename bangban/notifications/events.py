"""The events that send notifications, with a label for administrators and staff.

`notify(event=…)` accepts any name; this list gives the known ones a readable label (the
template admin offers them as choices). Add an entry when a new event is introduced.
"""

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "application_submitted": _("Application submitted (to chief specialists)"),
    "application_received": _("Application received (to the company)"),
    "application_accepted": _("Application accepted"),
    "application_rejected": _("Application not accepted"),
    "specialist_assigned": _("Specialist assigned"),
    "specialist_changed": _("Specialist changed"),
    "plan_published": _("Service guide published"),
    "case_suspended": _("Service suspended"),
    "case_resumed": _("Service resumed"),
    "case_terminated": _("Service terminated"),
    "results_handed_over": _("Results handed over"),
    "case_completed": _("Completion sheet signed"),
    "materials_returned": _("Materials returned for more work"),
    "item_pushed": _("Item pushed to a department"),
    "item_accepted": _("Item accepted by the department"),
    "supplement_requested": _("Supplement requested"),
    "supplement_supplied": _("Supplement supplied"),
    "item_approved": _("Item approved"),
    "item_refused": _("Item refused"),
    "item_withdrawn": _("Item withdrawn"),
    "item_extended": _("Item's time limit extended"),
    "special_procedure_started": _("Special procedure started (clock paused)"),
    "special_procedure_ended": _("Special procedure finished (clock runs again)"),
    "warning_green": _("Warning light back to green"),
    "warning_yellow": _("Warning light yellow: item due soon"),
    "warning_red": _("Warning light red: item overdue"),
    "supervision_notice_issued": _("Supervision notice issued (to the department)"),
    "supervision_notice_replied": _("Supervision notice answered"),
    "supervision_reply_returned": _("Reply to a supervision notice returned"),
    "supervision_notice_escalated": _("Supervision notice escalated to agency leadership"),
    "supervision_notice_referred": _(
        "Supervision notice referred to discipline inspection / audit"),
    "supervision_notice_closed": _("Supervision notice closed"),
}


def event_label(event):
    return EVENT_LABELS.get(event, event)
