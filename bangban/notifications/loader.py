"""Load the default notification templates from a TOML file (by default the bundled
`data/templates.toml`).

The whole file is checked first, so a bad file changes nothing. Templates that administrators
have already edited are kept unless `replace` is asked for.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bangban.core.errors import DomainError
from bangban.notifications.models import Channel, NotificationTemplate

DEFAULT_TEMPLATES_FILE = Path(__file__).resolve().parent / "data" / "templates.toml"

# Keys of an event's table → (channel, field).
KEYS = {
    "sms": (Channel.SMS, "body"),
    "email_subject": (Channel.EMAIL, "subject"),
    "email_body": (Channel.EMAIL, "body"),
    "in_app_subject": (Channel.IN_APP, "subject"),
    "in_app_body": (Channel.IN_APP, "body"),
}


class TemplatesFileError(DomainError):
    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    kept: int = 0


def read_templates(path):
    """The templates the file describes, validated, as unsaved `NotificationTemplate`s."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise TemplatesFileError([_("Cannot read %(file)s: %(error)s")
                                  % {"file": path, "error": error}]) from error
    errors, templates = [], []
    events = data.get("events")
    if not isinstance(events, dict) or not events:
        raise TemplatesFileError([_("%(file)s has no [events.…] tables.") % {"file": path}])
    for event, entry in events.items():
        unknown = sorted(set(entry) - set(KEYS)) if isinstance(entry, dict) else ["?"]
        if unknown:
            errors.append(_("Event %(event)s: unknown key(s) %(keys)s.")
                          % {"event": event, "keys": ", ".join(unknown)})
            continue
        by_channel = {}
        for key, value in entry.items():
            channel, field = KEYS[key]
            if not isinstance(value, str):
                errors.append(_("Event %(event)s: %(key)s must be text.")
                              % {"event": event, "key": key})
                continue
            template = by_channel.setdefault(
                channel, NotificationTemplate(event=event, channel=channel, subject="", body="")
            )
            setattr(template, field, value)
        for template in by_channel.values():
            try:
                template.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    errors.extend(f"{event} / {template.channel} / {field}: {message}"
                                  for message in messages)
            templates.append(template)
    if errors:
        raise TemplatesFileError(errors)
    return templates


@transaction.atomic
def load_templates(path=DEFAULT_TEMPLATES_FILE, *, replace=False):
    summary = Summary()
    existing = {(t.event, t.channel): t for t in NotificationTemplate.objects.all()}
    for template in read_templates(path):
        current = existing.get((template.event, template.channel))
        if current is None:
            template.save()
            summary.created += 1
        elif replace and (current.subject, current.body) != (template.subject, template.body):
            current.subject, current.body = template.subject, template.body
            current.save(update_fields=["subject", "body", "updated_at"])
            summary.updated += 1
        else:
            summary.kept += 1
    return summary
