"""The scopes an API token may hold, written down once: the token service validates against
this table, the permission class checks it, the admin offers it and docs/api.md lists it.

A token acts as its user, so every permission check of the services and selectors applies on
top of its scopes: a scope only narrows what the user could do anyway.
"""

from django.utils.translation import gettext_lazy as _

READ = "read"
WRITE = "write"
APPROVAL_INBOUND = "approval:inbound"

SCOPES = {
    READ: _("Read what the user may see (GET requests)."),
    WRITE: _("Act as the user: workflow actions, uploads, marking notifications read."),
    APPROVAL_INBOUND: _(
        "Post an approval system's item events (acceptance, supplement request, decision)."
    ),
}
