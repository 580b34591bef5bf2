from bangban.accounts.permissions import roles_of_user


def roles(request):
    if not request.user.is_authenticated:
        return {"user_roles": frozenset()}
    return {"user_roles": roles_of_user(request.user)}
