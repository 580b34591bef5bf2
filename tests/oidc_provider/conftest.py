from tests.oidc_provider.fixtures import oidc_provider, sso_settings  # noqa: F401
