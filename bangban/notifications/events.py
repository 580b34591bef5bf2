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
    "warning_digest": _("Warning lights changed (one message per person and scan)"),
    "supervision_notice_issued": _("Supervision notice issued (to the department)"),
    "supervision_notice_replied": _("Supervision notice answered"),
    "supervision_reply_returned": _("Reply to a supervision notice returned"),
    "supervision_notice_escalated": _("Supervision notice escalated to agency leadership"),
    "supervision_notice_referred": _(
        "Supervision notice referred to discipline inspection / audit"),
    "supervision_notice_closed": _("Supervision notice closed"),
    "problem_raised": _("Problem raised (to the department)"),
    "problem_answered": _("Problem answered by the department (to the specialist)"),
    "problem_answer_relayed": _("Answer to a problem passed on to the company"),
    "problem_escalated": _("Problem escalated to the next level"),
    "problem_feedback_letter": _("Problem passed on to another body by feedback letter"),
    "problem_confirmed": _("Problem confirmed resolved by the company"),
    "problem_reopened": _("Problem reopened by the company"),
    "problem_closed": _("Problem closed"),
    "meeting_invited": _("Invitation to a meeting"),
    "meeting_rescheduled": _("Meeting moved"),
    "meeting_cancelled": _("Meeting cancelled"),
    "meeting_reply": _("Reply to a meeting invitation (to the convener)"),
    "meeting_minutes_published": _("Meeting minutes published"),
    "meeting_action_assigned": _("Meeting decision assigned (to its owner)"),
    "meeting_minutes_corrected": _("Correction to published meeting minutes"),
    "meeting_action_done": _("Meeting decision carried out (to the convener)"),
    "consultation_answered": _("Consultation answered (to the asker)"),
    "consultation_converted": _("Draft application prepared from a consultation"),
    "interaction_statistics_due": _("Interaction statistics due (to chief specialists)"),
    "evaluation_bad_rating": _("Bad rating: verification and rectification opened"),
    "evaluation_rectification_verify": _("Bad rating verified"),
    "evaluation_rectification_rectify": _("Bad rating rectified"),
    "evaluation_rectification_return_visit": _("Return visit on a bad rating recorded"),
    "evaluation_rectification_close": _("Rectification of a bad rating closed"),
    "policy_linked": _("Policy added to the service guide"),
    "query_code_issued": _("Progress query code issued (to the company)"),
    "key_project_team": _("Dedicated team of a key project set up"),
    # To people without an account yet: `bangban.companies.services` writes these straight to
    # the outbox, with the code or link in the text, so no template is applied to them.
    "registration_code": _("Registration verification code"),
    "contact_invited": _("Invitation to a company contact"),
}


def event_label(event):
    return EVENT_LABELS.get(event, event)
