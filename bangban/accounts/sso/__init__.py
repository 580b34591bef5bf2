"""Single sign-on with the province's unified identity platform (OpenID Connect, docs/sso.md).

`backend.SSOBackend` checks the platform's answer (mozilla-django-oidc does the protocol),
`services.sso_sign_in` maps the identity to a provisioned local user, `views` start and finish
the login and build the platform's logout address.
"""
