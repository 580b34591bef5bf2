from django.db.models import Exists, OuterRef, Q

from bangban.accounts.models import Membership, OIDCIdentity, User


def sso_identity(*, issuer, subject):
    return (
        OIDCIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    )


def sso_matching_users(*, field, value):
    """The users the configured claim names (at most two: more than one is refused anyway).

    Only staff are matched: company contacts choose their own user names at registration, so
    one of them could otherwise take the name of a civil servant at the platform.
    """
    if field == "staff_number":
        match = Q(Exists(Membership.objects.filter(user=OuterRef("pk"), staff_number=value)))
    elif field == "email":
        match = Q(email__iexact=value)
    else:
        match = Q(username=value)
    return list(User.objects.filter(match).filter(is_staff_q())[:2])


def is_staff_q():
    return Q(is_staff=True) | Q(Exists(Membership.objects.filter(user=OuterRef("pk"))))


def is_sso_staff(user):
    return User.objects.filter(pk=user.pk).filter(is_staff_q()).exists()
