"""Every event the code sends has a label and default texts that fit what it is sent with."""

import ast
from pathlib import Path

import pytest

from bangban.evaluations.workflow import RECTIFICATION_ACTIONS
from bangban.notifications.events import EVENT_LABELS
from bangban.notifications.loader import DEFAULT_TEMPLATES_FILE, read_templates
from bangban.notifications.models import Channel
from bangban.notifications.rendering import PLACEHOLDER
from bangban.notifications.services import case_context, in_app_only, in_app_only_active
from tests.factories import CaseFactory

BANGBAN = Path(__file__).resolve().parents[2]

# Event names built at run time, by source text, with the names they can take.
DYNAMIC_EVENTS = {
    "f'evaluation_rectification_{action.name}'": {
        f"evaluation_rectification_{name}" for name in RECTIFICATION_ACTIONS
    },
}

# Sent without a case (or with one only sometimes): their texts cannot rely on its placeholders.
WITHOUT_CASE = {
    "registration_code", "contact_invited", "key_project_team", "interaction_statistics_due",
    "consultation_answered", "meeting_invited", "meeting_rescheduled", "meeting_cancelled",
    "meeting_reply", "meeting_minutes_published", "meeting_action_assigned",
    "meeting_minutes_corrected", "meeting_action_done",
}
# Their text is written by the sender and carries what the recipient needs (code, link).
TEXT_FROM_SENDER = {"registration_code", "contact_invited"}


def _sent_events():
    """(constant event names, source text of the computed ones) passed as `event=` anywhere
    in the application's code."""
    names, computed = set(), set()
    for path in BANGBAN.rglob("*.py"):
        if {"tests", "migrations"} & set(path.relative_to(BANGBAN).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg != "event":
                    continue
                if isinstance(keyword.value, ast.Constant):
                    names.add(keyword.value.value)
                elif isinstance(keyword.value, ast.JoinedStr):
                    computed.add(ast.unparse(keyword.value))
    return names, computed


def test_every_event_the_code_sends_has_a_label():
    names, computed = _sent_events()
    assert computed <= set(DYNAMIC_EVENTS), "new computed event name: add it to DYNAMIC_EVENTS"
    for source in computed:
        names |= DYNAMIC_EVENTS[source]
    assert "registration_code" in names and "evaluation_rectification_verify" in names
    assert sorted(names - set(EVENT_LABELS)) == []


@pytest.mark.django_db
def test_texts_of_events_sent_without_a_case_use_no_case_placeholders():
    case_placeholders = set(case_context(CaseFactory()))
    assert "project_name" in case_placeholders
    templates = [t for t in read_templates(DEFAULT_TEMPLATES_FILE) if t.event in WITHOUT_CASE]
    assert {t.event for t in templates} == WITHOUT_CASE
    for template in templates:
        used = set(PLACEHOLDER.findall(template.subject + template.body))
        assert not used & case_placeholders, (template.event, template.channel)


def test_codes_and_invitations_keep_the_senders_text():
    for template in read_templates(DEFAULT_TEMPLATES_FILE):
        if template.event in TEXT_FROM_SENDER:
            assert "body" in PLACEHOLDER.findall(template.body), template.event
            assert template.channel == Channel.SMS or not template.subject


def test_in_app_only_active_tells_whether_messages_are_held_back():
    assert not in_app_only_active()
    with in_app_only():
        assert in_app_only_active()
    assert not in_app_only_active()
