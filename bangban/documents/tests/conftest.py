import uuid
from types import SimpleNamespace

import boto3
import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from moto.server import ThreadedMotoServer

from bangban.accounts.models import Role
from bangban.cases.workflow import ItemState
from tests.factories import (
    CaseFactory,
    CaseItemFactory,
    CompanyContactFactory,
    DepartmentFactory,
    MembershipFactory,
    UserFactory,
)

S3_KEYS = {"access_key": "testing", "secret_key": "testing"}


@pytest.fixture(scope="session")
def s3_server():
    """An S3-compatible server on a free local port, for the whole run."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(settings, s3_server):
    """The archive on S3: a fresh private bucket on the local server. The storage the file
    fields use follows the STORAGES setting (Django resets it on setting_changed)."""
    bucket = f"archive-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": bucket, "endpoint_url": s3_server,
                    "region_name": "us-east-1", "addressing_style": "path",
                    "default_acl": "private", "file_overwrite": False,
                    "max_memory_size": 1024 * 1024, **S3_KEYS},
    }}
    return SimpleNamespace(name=bucket, client=client)


@pytest.fixture(params=["filesystem", "s3"])
def storage(request, settings):
    """The archive on the local filesystem, then on S3."""
    if request.param == "s3":
        request.getfixturevalue("s3_bucket")
    else:
        settings.STORAGES = {**settings.STORAGES,
                             "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return request.param


def stored_names(storage=None, folder=""):
    """Every file in the storage, however deep."""
    storage = storage or default_storage
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}{name}" for name in files]
    for sub in folders:
        names += stored_names(storage, f"{folder}{sub}/")
    return names


@pytest.fixture
def world():
    """An in-progress case with one item pushed to a department and one not yet, and a user for
    every role around it."""
    case = CaseFactory(in_progress=True, plan_published_at=timezone.now())
    agency = case.agency
    MembershipFactory(user=case.specialist, agency=agency, role=Role.SPECIALIST)
    department = DepartmentFactory(agency=agency)
    pushed = CaseItemFactory(case=case, department=department, state=ItemState.PUSHED,
                             pushed_at=timezone.now())
    hidden = CaseItemFactory(case=case, department=department, state=ItemState.PLANNED)
    users = SimpleNamespace(
        applicant=case.company_contact.user,
        specialist=case.specialist,
        chief=MembershipFactory(agency=agency, role=Role.CHIEF_SPECIALIST).user,
        department=MembershipFactory(agency=agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                                     department=department).user,
        other_department=MembershipFactory(
            agency=agency, role=Role.DEPARTMENT_REPRESENTATIVE,
            department=DepartmentFactory(agency=agency)).user,
        other_company=CompanyContactFactory().user,
        outsider=UserFactory(),
    )
    return SimpleNamespace(case=case, pushed=pushed, hidden=hidden, users=users)


@pytest.fixture
def supplement_item(world):
    """`world.pushed`, accepted, with a supplement asked for by its department."""
    from bangban.cases import services

    item = world.pushed
    services.accept_item(item=item, by=world.users.department)
    services.request_supplement(item=item, by=world.users.department, reason="缺少图纸",
                                due_date=timezone.localdate())
    item.refresh_from_db()
    assert item.state == ItemState.SUPPLEMENT_REQUESTED
    return item
