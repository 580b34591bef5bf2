"""The import page fuzzed (issue 6 §5): generated workbooks with odd sheets, headers and cells,
damaged packages and files that are no workbook at all, posted by a chief specialist. Never a
server error; either every row is imported or nothing is, and then every problem names its
sheet, row and (for a row's cell) column, and the report workbook opens."""

import base64
import datetime
import functools
import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from bangban.accounts.models import Role
from bangban.companies import imports
from bangban.companies.models import Company
from bangban.companies.tests.test_imports import (
    COMPANY_HEADER,
    PROJECT_HEADER,
    company_row,
    project_row,
)
from bangban.projects.models import Project
from tests.factories import AgencyFactory, MembershipFactory, valid_credit_code

pytestmark = pytest.mark.django_db

# Derandomized without the example database: the same examples on every machine and in CI.
# The examples of one test share its database; each rolls its changes back (`_post`).
FUZZ = settings(
    max_examples=100, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)
SHEETS = (imports.COMPANIES_SHEET, imports.PROJECTS_SHEET)


@pytest.fixture
def chief(client, settings):
    settings.UPLOAD_MAX_BYTES = 64 * 1024
    agency = AgencyFactory(name="韶关市政务服务中心")
    user = MembershipFactory(agency=agency, role=Role.CHIEF_SPECIALIST).user
    client.force_login(user)
    return agency


def _event(name):
    if currently_in_test_context():  # the checks also serve the plain tests below
        event(name)


def _counts():
    return Company.objects.count(), Project.objects.count()


def _post(client, agency, content):
    """The page's answer to `content`, checked; the database is left as it was."""
    with transaction.atomic():
        before = _counts()
        response = client.post(reverse("companies:import"), {
            "agency": agency.pk, "file": ContentFile(content, name="import.xlsx"),
        }, headers={"accept-language": "en"})
        after = _counts()
        transaction.set_rollback(True)
    assert response.status_code == 200, response.status_code
    result = response.context.get("result")
    if result is not None:
        _event("imported")
        assert after == (before[0] + len(result.companies), before[1] + len(result.projects))
        assert result.companies or result.projects
    else:
        assert after == before, "a refused workbook stored something"
        _check_refusal(response)
    return result


def _check_refusal(response):
    problems = response.context.get("problems")
    if problems is None:
        _event("file refused")
        assert response.context["form"].errors
        return
    _event("rows refused")
    assert problems
    for problem in problems:
        assert problem.sheet in SHEETS, problem
        assert isinstance(problem.row, int) and problem.row >= 1, problem
        assert problem.message.strip(), problem
        # Only a missing header column and a sheet over the row limit name no column.
        assert problem.column or problem.row == 1 or "at most" in problem.message, problem
    report = re.search(r"base64,(.+)$", response.context["report_url"]).group(1)
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(report))).active
    assert sheet.max_row == len(problems) + response.context["problems_hidden"] + 1


# ------------------------------------------------------------------ generated workbooks

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
_cells = st.one_of(
    st.none(), _text, st.integers(min_value=-10**15, max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=False, width=32), st.booleans(),
    st.dates(min_value=datetime.date(1900, 3, 1)), st.datetimes(
        min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(2100, 1, 1)),
    st.times(), st.decimals(allow_nan=False, allow_infinity=False, places=2,
                            min_value=-10**9, max_value=10**9),
    st.sampled_from(["=1+1", "=A1", "=SUM(A1:A9)", '=HYPERLINK("http://x","y")', "#DIV/0!",
                     "#N/A", "#REF!", " ", "是", "否", "yes", "√", "C", "Social investment",
                     "9137160200000000XX", "x" * 5000, "１２３", "0751-6661234"]),
    st.builds(valid_credit_code, st.integers(min_value=1, max_value=5)),
)
_sheet_titles = st.one_of(
    st.sampled_from([*SHEETS, "企业", "Companies", "PROJECTS", "项目", " 项目 Projects ",
                     imports.LISTS_SHEET, "Sheet"]),
    st.text(alphabet=st.characters(blacklist_characters="[]:*?/\\'",
                                   blacklist_categories=("Cs", "Cc")), min_size=1, max_size=31),
)


def _header(columns):
    """The sheet's header: its labels, some left out, repeated or unknown, in any order."""
    return st.lists(st.one_of(st.sampled_from(columns), _text), max_size=len(columns) + 3)


@st.composite
def _valid_rows(draw):
    """Rows that import: companies 1…n and projects of theirs."""
    n = draw(st.integers(min_value=1, max_value=3))
    codes = [valid_credit_code(600 + i) for i in range(n)]
    companies = [company_row(code, name=f"韶关{i}号有限公司") for i, code in enumerate(codes)]
    projects = [project_row(draw(st.sampled_from(codes)), name=f"项目{i}")
                for i in range(draw(st.integers(min_value=0, max_value=3)))]
    return companies, projects


@st.composite
def workbooks(draw):
    """A workbook near the template: good rows with some cells, headers or sheets spoiled."""
    companies, projects = draw(_valid_rows())
    # A third of the workbooks only differ in what the import must not mind.
    spoil = draw(st.integers(min_value=0, max_value=2)) > 0
    book = openpyxl.Workbook()
    book.remove(book.active)
    layout = [(imports.COMPANIES_SHEET, COMPANY_HEADER, companies),
              (imports.PROJECTS_SHEET, PROJECT_HEADER, projects)]
    for title, header, rows in layout:
        if spoil and draw(st.integers(min_value=0, max_value=5)) == 0:
            continue  # the sheet left out
        if not spoil:
            title = draw(st.sampled_from([title, *title.split(), title.upper()]))
        elif draw(st.integers(min_value=0, max_value=3)) == 0:
            title = draw(_sheet_titles)
        if title in book.sheetnames:
            title = f"{title[:28]}{len(book.sheetnames)}"
        sheet = book.create_sheet(title)
        order = draw(st.permutations(range(len(header))))
        rows = [[row[i] for i in order] for row in [header, *rows]]
        if spoil and draw(st.integers(min_value=0, max_value=3)) == 0:
            rows[0] = draw(_header(header))
        if spoil:
            rows += draw(st.lists(st.lists(_cells, max_size=len(header) + 2), max_size=1))
        for number, row in enumerate(rows):
            for _change in range(draw(st.sampled_from([0, 0, 0, 1, 2])) if spoil else 0):
                if row and number:
                    row[draw(st.integers(min_value=0, max_value=len(row) - 1))] = draw(_cells)
            sheet.append(row)
        if spoil and draw(st.integers(min_value=0, max_value=4)) == 0:
            top = draw(st.integers(min_value=1, max_value=4))
            left = draw(st.integers(min_value=1, max_value=5))
            sheet.merge_cells(start_row=top, start_column=left,
                              end_row=top + draw(st.integers(min_value=0, max_value=2)),
                              end_column=left + draw(st.integers(min_value=0, max_value=2)))
        if draw(st.integers(min_value=0, max_value=5)) == 0:
            sheet.sheet_state = "hidden"
    if draw(st.booleans()):
        book.create_sheet(draw(_sheet_titles).replace("'", "") + "x").append(
            draw(st.lists(_cells, max_size=4)))
    if not book.sheetnames:
        book.create_sheet("Sheet")
    if all(book[name].sheet_state == "hidden" for name in book.sheetnames):
        book[book.sheetnames[0]].sheet_state = "visible"  # openpyxl writes no such workbook
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _filled_rows(content):
    """{sheet: number of rows under the header with something in them} of the sheets the
    import reads."""
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    filled = {}
    for name in SHEETS:
        sheet = imports._find_sheet(book, name)
        rows = list(sheet.iter_rows(min_row=2, max_col=imports.MAX_COLUMNS, values_only=True)
                    ) if sheet is not None else []
        filled[name] = sum(any(v is not None and str(v).strip() for v in row) for row in rows)
    return filled


@FUZZ
@given(content=workbooks())
def test_generated_workbooks(client, chief, content):
    result = _post(client, chief, content)
    if result is not None:  # then every filled row was imported, none left behind unread
        assert _filled_rows(content) == {
            imports.COMPANIES_SHEET: len(result.companies) + len(result.existing_companies),
            imports.PROJECTS_SHEET: len(result.projects)}


def test_rows_under_an_empty_header_row_are_reported_not_dropped(client, chief):
    # Found by the fuzz test above: the companies were imported and the projects, under a
    # header row someone had cleared, were silently left out.
    book = openpyxl.Workbook()
    book.active.title = imports.COMPANIES_SHEET
    for row in [COMPANY_HEADER, company_row(valid_credit_code(600))]:
        book.active.append(row)
    projects = book.create_sheet(imports.PROJECTS_SHEET)
    for row in [[None, " "], project_row(valid_credit_code(600))]:
        projects.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    with transaction.atomic():
        response = client.post(reverse("companies:import"), {
            "agency": chief.pk, "file": ContentFile(buffer.getvalue(), name="import.xlsx"),
        }, headers={"accept-language": "en"})
        assert _counts() == (0, 0)
    [problem] = response.context["problems"]
    assert (problem.sheet, problem.row) == (imports.PROJECTS_SHEET, 1)
    assert "The first row is empty" in problem.message


def test_a_good_generated_workbook_imports_everything(client, chief):
    # The property above holds trivially if every workbook were refused: one must import.
    book = openpyxl.Workbook()
    book.active.title = imports.COMPANIES_SHEET
    for row in [COMPANY_HEADER, company_row(valid_credit_code(600))]:
        book.active.append(row)
    projects = book.create_sheet(imports.PROJECTS_SHEET)
    for row in [PROJECT_HEADER, project_row(valid_credit_code(600))]:
        projects.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    result = _post(client, chief, buffer.getvalue())
    assert result is not None and (len(result.companies), len(result.projects)) == (1, 1)


# ------------------------------------------------------------------ damaged packages

@functools.cache
def _template():
    book = openpyxl.load_workbook(io.BytesIO(imports.template_workbook()))
    book[imports.COMPANIES_SHEET].append(company_row(valid_credit_code(700)))
    book[imports.PROJECTS_SHEET].append(project_row(valid_credit_code(700)))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@st.composite
def damaged_packages(draw, template):
    """The filled-in template with entries removed, cut short or garbled, or its bytes cut."""
    if draw(st.integers(min_value=0, max_value=4)) == 0:
        data = bytearray(template[: draw(st.integers(min_value=0, max_value=len(template)))])
        for _flip in range(draw(st.integers(min_value=0, max_value=4))):
            if data:
                data[draw(st.integers(min_value=0, max_value=len(data) - 1))] ^= 0xFF
        return bytes(data)
    source = zipfile.ZipFile(io.BytesIO(template))
    names = source.namelist()
    victims = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            data = source.read(name)
            if name in victims:
                how = draw(st.sampled_from(["remove", "truncate", "garble", "replace"]))
                if how == "remove":
                    continue
                if how == "truncate":
                    data = data[: draw(st.integers(min_value=0, max_value=len(data)))]
                elif how == "garble":
                    data = bytearray(data)
                    for _flip in range(draw(st.integers(min_value=1, max_value=8))):
                        if data:
                            position = draw(st.integers(min_value=0, max_value=len(data) - 1))
                            data[position] = draw(st.sampled_from(b"<>/\"&\x00x9"))
                    data = bytes(data)
                else:
                    data = draw(st.binary(max_size=200))
            target.writestr(name, data)
    return buffer.getvalue()


@FUZZ
@given(data=st.data())
def test_damaged_packages(client, chief, data):
    _post(client, chief, data.draw(damaged_packages(_template())))


@FUZZ
@given(content=st.one_of(
    st.binary(min_size=1, max_size=2048),
    st.builds(bytes.__add__, st.sampled_from([b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0",
                                              b"%PDF-1.4", b"\x7fELF"]),
              st.binary(max_size=2048)),
    st.just(b"\x00" * (64 * 1024 + 1)),
))
def test_files_that_are_no_workbook(client, chief, content):
    assert _post(client, chief, content) is None


def test_the_import_is_all_or_nothing_when_a_later_row_is_bad(client, chief):
    companies = [company_row(valid_credit_code(800 + i), name=f"公司{i}") for i in range(5)]
    companies.append(company_row(valid_credit_code(899), **{"legal representative": ""}))
    book = openpyxl.Workbook()
    book.active.title = imports.COMPANIES_SHEET
    for row in [COMPANY_HEADER, *companies]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    assert _post(client, chief, buffer.getvalue()) is None
    assert _counts() == (0, 0)
