"""The default templates: a file in the repository, loaded by a command."""

import pytest
from django.core.management import CommandError, call_command

from bangban.notifications.events import EVENT_LABELS
from bangban.notifications.loader import DEFAULT_TEMPLATES_FILE, read_templates
from bangban.notifications.models import Channel, NotificationTemplate

pytestmark = pytest.mark.django_db


def test_the_bundled_file_has_an_sms_and_an_e_mail_text_for_every_known_event():
    templates = read_templates(DEFAULT_TEMPLATES_FILE)
    pairs = {(t.event, t.channel) for t in templates}
    for event in EVENT_LABELS:
        assert (event, Channel.SMS) in pairs, event
        assert (event, Channel.EMAIL) in pairs, event
    assert {t.event for t in templates} <= set(EVENT_LABELS)
    assert all("【" not in t.body for t in templates if t.channel == Channel.SMS)


def test_loading_adds_missing_templates_and_keeps_edited_ones(capsys):
    call_command("load_notification_templates")
    count = NotificationTemplate.objects.count()
    assert count == 2 * len(EVENT_LABELS)
    edited = NotificationTemplate.objects.get(event="item_pushed", channel=Channel.SMS)
    edited.body = "管理员改过的文本"
    edited.save()
    NotificationTemplate.objects.get(event="item_refused", channel=Channel.SMS).delete()
    call_command("load_notification_templates")
    assert NotificationTemplate.objects.count() == count
    edited.refresh_from_db()
    assert edited.body == "管理员改过的文本"
    call_command("load_notification_templates", "--replace")
    edited.refresh_from_db()
    assert edited.body != "管理员改过的文本"


def test_a_bad_file_changes_nothing(tmp_path):
    bad = tmp_path / "templates.toml"
    bad.write_text('[events.item_pushed]\nsms = "{{ password }}"\nemail_bodyx = "x"\n'
                   '[events.item_refused]\nsms = "{{ nothing }}"\n', encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("load_notification_templates", "--file", str(bad))
    assert "email_bodyx" in str(error.value)
    assert "nothing" in str(error.value)
    assert not NotificationTemplate.objects.exists()


def test_an_unreadable_file_is_reported(tmp_path):
    bad = tmp_path / "templates.toml"
    bad.write_text("[events\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_notification_templates", "--file", str(bad))
