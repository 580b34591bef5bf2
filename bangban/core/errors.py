"""Errors raised by services. Views turn them into a message in the user's language."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """An action that cannot be carried out; `message` is shown to the user as it is."""

    default_message = _("The action could not be carried out.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class NotAllowed(DomainError):
    default_message = _("You are not allowed to do this.")


class InvalidTransition(DomainError):
    """The object is no longer in a state where the action applies (often: someone was first)."""

    default_message = _("This action is not possible in the current state.")
