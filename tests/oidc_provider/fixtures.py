"""A real OpenID Connect provider for the single sign-on tests (docs/sso.md).

`oidc_provider` (session-scoped) runs panva's oidc-provider (provider.mjs, versions pinned in
package-lock.json) with Node on a free port, with one client whose redirect URIs point at
pytest-django's `live_server`; `npm ci` installs it on first use. `sso_settings` turns Bangban's
single sign-on on against it, from the provider's discovery document, as a deployment would
configure it through BANGBAN_OIDC_* variables.

Node is required, never skipped: `bash scripts/test.sh` installs it (Debian's nodejs and npm).
"""

import json
import os
import selectors
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.urls import reverse

PROVIDER_DIR = Path(__file__).resolve().parent
CLIENT_ID = "bangban-tests"
CLIENT_SECRET = "bangban-tests-secret-0123456789"
START_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Provider:
    issuer: str
    configuration: dict
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET


def _node_command():
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None or shutil.which("npm") is None:
        pytest.fail("Node.js and npm are needed for the single sign-on tests: run "
                    "`bash scripts/test.sh`, which installs Debian's nodejs and npm.")
    return node


def _install_provider():
    if (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    result = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=PROVIDER_DIR, capture_output=True, text=True, timeout=600,
    )
    if result.returncode != 0:
        pytest.fail(
            "`npm ci` in tests/oidc_provider failed, so the test OpenID provider cannot be "
            "installed. It needs the npm registry (or a mirror set with `npm config set "
            f"registry …`) once; afterwards node_modules is reused offline.\n{result.stderr}"
        )


def _read_issuer(process, log_path):
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    ready = selector.select(timeout=START_TIMEOUT_SECONDS)
    selector.close()
    line = process.stdout.readline() if ready else ""
    if not line:
        process.kill()
        pytest.fail(f"The test OpenID provider did not start:\n{Path(log_path).read_text()}")
    return json.loads(line)["issuer"]


@pytest.fixture(scope="session")
def oidc_provider(live_server):
    node = _node_command()
    _install_provider()
    options = {
        "clientId": CLIENT_ID,
        "clientSecret": CLIENT_SECRET,
        "redirectUris": [live_server.url + reverse("accounts:sso_callback")],
        "postLogoutRedirectUris": [live_server.url + reverse("accounts:login")],
        "tokenEndpointAuthMethod": "client_secret_basic",
    }
    log = tempfile.NamedTemporaryFile(prefix="oidc-provider-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [node, "provider.mjs", json.dumps(options)], cwd=PROVIDER_DIR,
        stdout=subprocess.PIPE, stderr=log, text=True,
    )
    try:
        issuer = _read_issuer(process, log.name)
        configuration = requests.get(
            f"{issuer}/.well-known/openid-configuration", timeout=10
        ).json()
        yield Provider(issuer=issuer, configuration=configuration)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        os.unlink(log.name)


@pytest.fixture
def sso_settings(settings, oidc_provider):
    """Single sign-on on, against the test provider (the settings BANGBAN_OIDC_* produce)."""
    configuration = oidc_provider.configuration
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = oidc_provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = oidc_provider.client_secret
    settings.OIDC_OP_ISSUER = configuration["issuer"]
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = configuration["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = configuration["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = configuration["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = configuration["jwks_uri"]
    settings.OIDC_OP_END_SESSION_ENDPOINT = ""
    settings.OIDC_STORE_ID_TOKEN = False
    settings.OIDC_RP_SCOPES = "openid profile"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_TOKEN_USE_BASIC_AUTH = True
    settings.OIDC_USE_PKCE = True
    settings.OIDC_USER_CLAIM = "preferred_username"
    settings.OIDC_USER_FIELD = "username"
    settings.OIDC_BUTTON_LABEL = ""
    return settings
