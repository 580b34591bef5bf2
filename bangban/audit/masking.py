"""Personal data shown masked to those who do not need it (SPEC §13): one rule for who needs
it, and the masks, for pages and exports alike.

Who needs a company's people's numbers (SPEC §1): the case's own specialist, the chief
specialists of its agency (or one above) and the company's own contacts. Department
representatives, supervisors, experts, other companies and the public see them masked.
"""

import copy

from bangban.accounts.models import Role
from bangban.accounts.permissions import case_roles

ROLES_NEEDING_PERSONAL_DATA = frozenset({Role.SPECIALIST, Role.CHIEF_SPECIALIST, Role.APPLICANT})


def needs_personal_data(roles):
    """Whether someone holding `roles` towards a case (permissions.case_roles) sees its
    people's phone and ID numbers whole."""
    return bool(ROLES_NEEDING_PERSONAL_DATA & set(roles))


def sees_personal_data(user, case):
    return needs_personal_data(case_roles(user, case))


def mask_phone(value):
    """138****1234: enough to recognise a number, not to call it."""
    text = str(value or "").strip()
    if len(text) <= 4:
        return "*" * len(text)
    if len(text) <= 7:
        return "*" * (len(text) - 4) + text[-4:]
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def mask_id_number(value):
    """110***********1234: the region's first three digits and the last four of an ID card
    number; a short value is hidden whole."""
    text = str(value or "").strip()
    if len(text) < 8:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def shown_phone(value, full):
    return value if full else mask_phone(value)


def shown_id_number(value, full):
    return value if full else mask_id_number(value)


def hide_personal_data_from(user, case):
    """The case as `user` may see it in a printed form or a file: its company contact's phone
    masked unless the user needs it. The masked contact is a copy, so it is never saved."""
    if not sees_personal_data(user, case):
        contact = copy.copy(case.company_contact)
        contact.phone = mask_phone(contact.phone)
        case.company_contact = contact
    return case
