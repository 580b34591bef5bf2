"""The authorization matrix (issue 6.4): every URL, as every role and as anonymous, against the
other party's objects — zero leaks. docs/authorization.md describes it.

A failure names the URL name and the role (`test_matrix[cases:detail-chief_specialist]`) and
lists every request of that pair that leaked, with what it leaked.
"""

import re
import zipfile
from io import BytesIO
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import Count, Max
from django.shortcuts import resolve_url
from django.urls import URLResolver, get_resolver, reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.authorization.entries import (
    ADMIN_NAMESPACE,
    ENTRIES,
    EVERYTHING,
    OBJECT,
    PUBLIC,
    variants,
)
from tests.authorization.world import ADMINISTRATOR, ANONYMOUS, ROLES, SUPERUSER

pytestmark = pytest.mark.django_db

# Rows these apps write on any request (an audit trail of denials, login attempts) are not a
# change of the other party's state.
SNAPSHOT_IGNORED_APPS = frozenset({"audit", "axes", "otp_totp", "otp_static", "sessions"})
REFUSALS = frozenset({400, 403, 404, 405, 429})
SHOWN_LEAKS = 5


def url_names():
    """(every named URL of config.urls as `namespace:name`, the routes of unnamed ones)."""
    names, unnamed = set(), []

    def walk(patterns, namespace, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner, route)
            elif pattern.name:
                names.add(namespace + pattern.name)
            elif not namespace.startswith(f"{ADMIN_NAMESPACE}:"):
                unnamed.append(route)

    walk(get_resolver().url_patterns, "", "")
    return names, unnamed


def test_every_url_has_an_entry():
    names, unnamed = url_names()
    names = {n for n in names if not n.startswith(f"{ADMIN_NAMESPACE}:")}
    missing = sorted(names - set(ENTRIES))
    stale = sorted(set(ENTRIES) - names)
    assert not unnamed, f"URL patterns without a name cannot be in the matrix: {unnamed}"
    assert not missing, (
        f"URL names without an entry in tests/authorization/entries.py: {missing} "
        "(see docs/authorization.md)")
    assert not stale, f"Entries in tests/authorization/entries.py for no URL: {stale}"


# ------------------------------------------------------------------------------- reading answers

def _squeeze(text):
    return re.sub(r"\s+", "", text)


def body_text(response):
    """The answer's text, whatever its format (HTML, JSON, PDF, XLSX, ZIP), whitespace
    removed so a PDF's wrapped table cell still matches."""
    if getattr(response, "streaming", False):
        # Reading it to the end closes it through the test client's own wrapper; closing it
        # here again would send request_finished and close the test's database connection.
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content.startswith(b"%PDF"):
        reader = PdfReader(BytesIO(content))
        return _squeeze("".join(page.extract_text() or "" for page in reader.pages))
    if content.startswith(b"PK"):
        return _squeeze(_zip_text(content))
    return _squeeze(content.decode("utf-8", "replace"))


def _zip_text(content):
    try:
        archive = zipfile.ZipFile(BytesIO(content))
    except zipfile.BadZipFile:
        return content.decode("utf-8", "replace")
    if "xl/workbook.xml" in archive.namelist():
        workbook = load_workbook(BytesIO(content), read_only=True)
        return " ".join(str(cell) for sheet in workbook.worksheets
                        for row in sheet.iter_rows(values_only=True) for cell in row
                        if cell is not None)
    parts = list(archive.namelist())
    for name in archive.namelist():
        data = archive.read(name)
        parts.append(body_text_of_bytes(data))
    return " ".join(parts)


def body_text_of_bytes(data):
    if data.startswith(b"%PDF"):
        return "".join(page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages)
    return data.decode("utf-8", "replace")


def snapshot():
    """Row count and latest change of every table of the project's apps: cheap, and any
    created, deleted or saved row shows."""
    state = {}
    for model in apps.get_models():
        meta = model._meta
        if (not model.__module__.startswith("bangban.") or meta.proxy or not meta.managed
                or meta.app_label in SNAPSHOT_IGNORED_APPS):
            continue
        figures = {"rows": Count("pk")}
        if any(f.name == "updated_at" for f in meta.concrete_fields):
            figures["changed"] = Max("updated_at")
        state[meta.label] = tuple(model.objects.aggregate(**figures).values())
    return state


def _changes(before, after):
    return sorted(label for label in before if before[label] != after.get(label))


# ------------------------------------------------------------------------------- the matrix

def judge(response, entry, role, world, where):
    """What is wrong with one answer (empty when nothing is)."""
    status = response.status_code
    sees = entry.sees.get(role, frozenset())
    if status >= 500:
        return [f"{where}: server error {status}"]
    if sees == EVERYTHING:
        return []
    if role == ANONYMOUS and entry.scope != PUBLIC:
        if entry.api:
            return [] if status in (401, 403) else [f"{where}: {status}, expected 401/403"]
        login = resolve_url(settings.LOGIN_URL)
        location = response.get("Location", "")
        if status in REFUSALS or (status == 302 and location.startswith(login)):
            return []
        return [f"{where}: {status} {location}, expected a redirect to {login} or a refusal"]
    if 200 <= status < 300:
        if entry.scope == OBJECT:
            return [f"{where}: {status} for the other party's object"]
        text = body_text(response)
        leaked = [f"{kind} {secret!r}" for kind, secret in world.secrets_except(sees)
                  if _squeeze(secret) in text]
        if leaked:
            return [f"{where}: shows the other party's data: {', '.join(leaked[:SHOWN_LEAKS])}"
                    + (f" and {len(leaked) - SHOWN_LEAKS} more" if len(leaked) > SHOWN_LEAKS
                       else "")]
        return []
    if 300 <= status < 400:
        if entry.scope == OBJECT and not entry.refusal_redirect:
            return [f"{where}: {status} to {response.get('Location')}, expected 403/404"]
        return []
    if status in REFUSALS or (entry.api and status == 401):
        return []
    return [f"{where}: unexpected status {status}"]


def _headers(entry, world, role):
    headers = {"HTTP_ACCEPT": "application/json"} if entry.api else {}
    if entry.headers is not None:
        headers.update({f"HTTP_{k.upper().replace('-', '_')}": v
                        for k, v in entry.headers(world, role).items()})
    return headers


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_matrix(client, world, name, role):
    entry = ENTRIES[name]
    user = world.user(role)
    if user is not None and entry.headers is None:
        client.force_login(user)
    headers = _headers(entry, world, role)
    problems = []
    for kwargs in variants(entry.kwargs(world)):
        url = reverse(name, kwargs=kwargs)
        for query in variants(entry.query(world)):
            response = client.get(url, query, **headers)
            where = f"GET {url}{'?' if query else ''}{urlencode(query)}"
            if entry.get:
                problems += judge(response, entry, role, world, where)
            elif response.status_code not in (302, 405) and not (
                    entry.api and response.status_code in (401, 403)):
                problems.append(f"{where}: {response.status_code} on a POST-only URL")
        if entry.post and entry.sees.get(role) != EVERYTHING:
            watched = entry.watch(world) if entry.watch else None
            before = snapshot()
            response = client.post(url, entry.post_data(world), **headers)
            changed = _changes(before, snapshot())
            where = f"POST {url}"
            if changed and entry.scope == OBJECT:
                problems.append(f"{where}: changed {changed}")
            if entry.watch and entry.watch(world) != watched:
                problems.append(f"{where}: changed the watched state")
            problems += judge(response, entry, role, world, where)
    assert not problems, f"{name} as {role}:\n" + "\n".join(problems)


# ------------------------------------------------------------------------------- the admin site

def admin_urls():
    """Every admin URL but its login and logout pages (the one is public, the other ends only
    the requester's own session), its arguments filled with placeholders: the site refuses
    non-staff before it looks anything up."""
    urls = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns,
                     f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif pattern.name and namespace == f"{ADMIN_NAMESPACE}:" and (
                    pattern.name not in ("login", "logout")):
                arguments = {name: "1" for name in pattern.pattern.regex.groupindex}
                if "app_label" in arguments:
                    arguments["app_label"] = "cases"
                urls.append(reverse(namespace + pattern.name, kwargs=arguments))

    walk(get_resolver().url_patterns, "")
    return urls


def _admin_refusals(client, urls):
    login = reverse(f"{ADMIN_NAMESPACE}:login")
    problems = []
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            location = response.get("Location", "")
            if not (response.status_code == 302 and location.startswith(login)):
                problems.append(f"{method.__name__.upper()} {url}: {response.status_code}")
    return problems


def test_admin_site_refuses_every_url_to_an_administrator(client, world):
    """Administrators (SPEC §1) are not staff users: the admin site is for superusers. The
    site checks the user the same way on every URL, so the other roles get a sample."""
    client.force_login(world.user(ADMINISTRATOR))
    problems = _admin_refusals(client, admin_urls())
    assert not problems, "admin as administrator:\n" + "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_admin_site_is_for_staff_only(client, world, role):
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    problems = _admin_refusals(client, [
        reverse(f"{ADMIN_NAMESPACE}:index"),
        reverse(f"{ADMIN_NAMESPACE}:cases_case_changelist"),
        reverse(f"{ADMIN_NAMESPACE}:cases_case_change", args=[world.other.case.pk]),
        reverse(f"{ADMIN_NAMESPACE}:companies_company_change", args=[world.other.company.pk]),
    ])
    assert not problems, f"admin as {role}:\n" + "\n".join(problems)


def test_admin_site_opens_for_a_superuser(client, world):
    client.force_login(world.user(SUPERUSER))
    assert client.get(reverse(f"{ADMIN_NAMESPACE}:index")).status_code == 200
    response = client.get(reverse(f"{ADMIN_NAMESPACE}:cases_case_change",
                                  args=[world.other.case.pk]))
    assert response.status_code == 200


def test_admin_login_page_shows_nothing_of_the_other_party(client, world):
    text = body_text(client.get(reverse(f"{ADMIN_NAMESPACE}:login")))
    assert not [s for _kind, s in world.secrets_except(()) if _squeeze(s) in text]


def test_the_world_has_every_role_and_secrets(world):
    """Guards the matrix itself: a user per role, and secrets of every kind to look for."""
    assert all(world.user(role) is not None for role in ROLES if role != ANONYMOUS)
    assert all(world.secrets.values()), {k: len(v) for k, v in world.secrets.items()}


def test_judge_catches_what_it_is_meant_to_catch():
    """The matrix's own check, on made-up answers: if it let these through, every green run of
    the matrix would mean nothing."""
    from django.http import HttpResponse, HttpResponseRedirect

    from tests.authorization.entries import PAGE, Entry
    from tests.authorization.world import World

    world = World(users={}, other=None, secrets={"case": frozenset({"BB2026000001"})})
    page, thing = Entry(PAGE), Entry(OBJECT)
    shows = HttpResponse("<td>BB2026 000001</td>")
    assert judge(shows, page, "chief_specialist", world, "GET /x/")
    assert not judge(HttpResponse("<td>nothing</td>"), page, "chief_specialist", world, "GET")
    assert not judge(shows, Entry(PAGE, sees={"chief_specialist": {"case"}}),
                     "chief_specialist", world, "GET /x/")
    assert judge(HttpResponse("ok"), thing, "chief_specialist", world, "GET /x/")
    assert judge(HttpResponseRedirect("/cases/1/"), thing, "chief_specialist", world, "GET")
    assert not judge(HttpResponse(status=404), thing, "chief_specialist", world, "GET /x/")
    assert judge(HttpResponse(status=500), thing, "chief_specialist", world, "GET /x/")
    assert judge(HttpResponseRedirect("/cases/"), thing, ANONYMOUS, world, "GET /x/")
    assert not judge(HttpResponseRedirect("/accounts/login/?next=/x/"), thing, ANONYMOUS,
                     world, "GET /x/")
