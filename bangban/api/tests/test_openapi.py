import json
import re

import pytest
from django.test import Client
from openapi_spec_validator import validate

from bangban.api.scopes import SCOPES
from bangban.api.tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_openapi_document_is_valid_and_documents_the_token(world):
    response = client_for(world.specialist).get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    validate(document)
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "http", "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["tokenAuth"]["description"]}
    assert {"/api/v1/items/{id}/actions/{action}/", "/api/v1/inbound/item-events/",
            "/api/v1/cases/{id}/actions/{action}/", "/api/v1/notifications/read-all/"} <= set(
        document["paths"])
    actions = document["paths"]["/api/v1/items/{id}/actions/{action}/"]["post"]
    assert {"accept", "approve", "refuse"} <= set(
        next(p for p in actions["parameters"] if p["name"] == "action")["schema"]["enum"])


def test_scopes_are_defined_once_as_data():
    assert set(SCOPES) == {"read", "write", "approval:inbound"}


def test_the_docs_page_loads_its_assets_from_static(world):
    client = Client()
    client.force_login(world.specialist)
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"(src|href)=\"https?://", html), "no CDN"
    nonce = re.search(r"<style nonce=\"([^\"]+)\">", html).group(1)
    assert f"'nonce-{nonce}'" in page["Content-Security-Policy"]
    assert "<script>" not in html  # the page's own script is a file (CSP: no inline code)
    assets = re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", html)
    assert any("drf_spectacular_sidecar" in a for a in assets)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert b"".join(response.streaming_content), asset
    scripts = re.findall(r"src=\"([^\"]*\?script=[^\"]*)\"", html)
    for script in scripts:
        script = script.replace("&amp;", "&")
        body = client.get(script).content.decode()
        assert "/api/v1/openapi.json" in body
        assert "https://" not in body
