"""Files left by a transaction that failed after the upload was written are pruned later."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from bangban.documents.models import Document, DocumentKind
from bangban.documents.services import store_document
from bangban.documents.tests.conftest import stored_names
from tests.factories import pdf_upload

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_orphan_of_a_failed_case_action_is_pruned_and_documents_stay(storage, world):
    kept = store_document(case=world.case, kind=DocumentKind.OTHER, file=pdf_upload(),
                          by=world.users.specialist)
    with pytest.raises(RuntimeError), transaction.atomic():
        store_document(case=world.case, kind=DocumentKind.OTHER, file=pdf_upload(),
                       by=world.users.specialist)
        raise RuntimeError("the case action failed after the upload")
    assert Document.objects.get() == kept
    (orphan,) = set(stored_names()) - {kept.file.name}

    def prune(*options):
        out = io.StringIO()
        call_command("prune_archive_files", *options, stdout=out)
        return out.getvalue().split()

    assert prune("--hours", "1") == []  # young: it may belong to a transaction in progress
    assert prune("--hours", "0", "--dry-run") == [orphan]
    assert orphan in stored_names()
    assert prune("--hours", "0") == [orphan]
    assert stored_names() == [kept.file.name]
