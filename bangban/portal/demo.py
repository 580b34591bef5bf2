"""The company portal in the demo (`manage.py demo_data`, called by bangban.core.demo).

The main demo company gets a second contact with a login of its own: its representative
invites a colleague through the same service as the portal's page, and the colleague accepts
the invitation with the demo password. Nothing is added when the colleague exists already.
"""

from bangban.companies import services
from bangban.companies.models import CompanyContact

MAIN_COMPANY_USER = "company"
COLLEAGUE = {"username": "company2", "name": "周晓琳", "phone": "13905430188",
             "email": "company2@example.com", "position": "报建专员"}


def play_portal(builder):
    """Returns how many contacts were added (0 or 1)."""
    from bangban.core.demo import PASSWORD  # core.demo imports this module

    representative = (
        CompanyContact.objects.select_related("company", "user")
        .filter(user__username=MAIN_COMPANY_USER).first()
    )
    if representative is None or representative.company.contacts.filter(
        user__username=COLLEAGUE["username"]
    ).exists():
        return 0
    contact = services.invite_contact(
        company=representative.company, by=representative.user, name=COLLEAGUE["name"],
        phone=COLLEAGUE["phone"], email=COLLEAGUE["email"], position=COLLEAGUE["position"],
    )
    services.accept_invitation(token=services.make_invitation_token(contact),
                               username=COLLEAGUE["username"], password=PASSWORD)
    builder.created["company contacts"] += 1
    builder.log(f"{representative.company.name}: second contact {COLLEAGUE['username']}")
    return 1
