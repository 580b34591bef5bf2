import pytest

from bangban.documents.models import Document


@pytest.mark.django_db
def test_an_oversized_request_is_refused_before_any_view_runs(client, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    response = client.post("/accounts/login/", data=b"x" * (7 * 1024 * 1024),
                           content_type="application/octet-stream")
    assert response.status_code == 413
    body = response.content.decode()
    assert "1 MB" in body
    assert "Traceback" not in body
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_a_request_within_the_limit_reaches_the_view(client, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    response = client.get("/accounts/login/")
    assert response.status_code == 200
