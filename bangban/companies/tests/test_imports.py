"""Import of companies and projects from an .xlsx: everything or nothing, with a report."""

import base64
import datetime
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from bangban.accounts.models import Agency, Role
from bangban.companies import imports, services
from bangban.companies.models import Company
from bangban.core.errors import NotAllowed
from bangban.projects import services as project_services
from bangban.projects.models import Category, InvestmentType, Project
from tests.factories import (
    AgencyFactory,
    CompanyFactory,
    MembershipFactory,
    ProjectFactory,
    valid_credit_code,
)

pytestmark = pytest.mark.django_db

COMPANY_HEADER = ["company name", "unified social credit code", "legal representative",
                  "address", "phone"]
PROJECT_HEADER = ["unified social credit code", "project name", "project code", "category",
                  "investment type", "key project", "location",
                  "total investment (10,000 yuan)", "floor area (m²)", "project summary"]
CODE_A, CODE_B, CODE_C = valid_credit_code(501), valid_credit_code(502), valid_credit_code(503)


def company_row(code=CODE_A, name="韶关新材料有限公司", **overrides):
    row = {"company name": name, "unified social credit code": code,
           "legal representative": "李四", "address": "韶关市曲江区", "phone": "0751-6661234"}
    row.update(overrides)
    return [row[column] for column in COMPANY_HEADER]


def project_row(code=CODE_A, name="新材料产业园一期", **overrides):
    row = {"unified social credit code": code, "project name": name,
           "project code": "", "category": "General industrial project",
           "investment type": "Social investment", "key project": "no",
           "location": "韶关市曲江区白土镇", "total investment (10,000 yuan)": 35000.5,
           "floor area (m²)": 68000, "project summary": "新建厂房"}
    row.update(overrides)
    return [row[column] for column in PROJECT_HEADER]


def workbook_bytes(companies=(), projects=(), company_header=COMPANY_HEADER,
                   project_header=PROJECT_HEADER, edit=None):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = imports.COMPANIES_SHEET
    sheet.append(company_header)
    for row in companies:
        sheet.append(row)
    sheet = book.create_sheet(imports.PROJECTS_SHEET)
    sheet.append(project_header)
    for row in projects:
        sheet.append(row)
    if edit:
        edit(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(content, name="import.xlsx"):
    return SimpleUploadedFile(name, content, content_type=imports.XLSX_TYPE)


@pytest.fixture
def agency():
    return AgencyFactory(name="韶关市政务服务中心")


@pytest.fixture
def chief(agency):
    return MembershipFactory(agency=agency, role=Role.CHIEF_SPECIALIST).user


def run_import(chief, agency, content):
    with translation.override("en"):
        return imports.import_workbook(by=chief, agency=agency, file=upload(content))


def rejected(chief, agency, content):
    with pytest.raises(imports.ImportRejected) as caught:
        run_import(chief, agency, content)
    return caught.value.problems


def file_error(chief, agency, content):
    with pytest.raises(ValidationError) as caught:
        run_import(chief, agency, content)
    return " ".join(caught.value.message_dict["file"])


def counts():
    return Company.objects.count(), Project.objects.count()


# ------------------------------------------------------------------ good workbooks


def test_a_good_workbook_creates_every_company_and_project(chief, agency):
    registered = CompanyFactory(credit_code=CODE_C, name="已登记公司", address="旧地址")
    content = workbook_bytes(
        companies=[company_row(CODE_A), company_row(CODE_B, name="韶关建设有限公司"),
                   company_row(CODE_C, name="改过的名字", address="新地址")],
        projects=[project_row(CODE_A, **{"project code": "2026-440205-30-01-000123",
                                       "key project": "yes"}),
                  project_row(CODE_B, name="二期", **{"category": "C"}),
                  project_row(CODE_C, name="已登记公司的项目")],
    )

    result = run_import(chief, agency, content)

    assert [c.credit_code for c in result.companies] == [CODE_A, CODE_B]
    assert result.existing_companies == [registered]
    registered.refresh_from_db()
    assert (registered.name, registered.address) == ("已登记公司", "旧地址")  # not changed
    first = Project.objects.get(code="2026-440205-30-01-000123")
    assert first.company.credit_code == CODE_A and first.agency == agency
    assert first.is_key_project and first.total_investment == Decimal("35000.50")
    assert first.category == Category.GENERAL_INDUSTRIAL
    assert first.investment_type == InvestmentType.SOCIAL
    assert Project.objects.get(name="已登记公司的项目").company == registered
    assert counts() == (3, 3)


def test_chinese_headers_and_labels_are_accepted(chief, agency):
    with translation.override("zh-hans"):
        company_header = [str(c.label) for c in imports.COMPANY_COLUMNS]
        project_header = [str(c.label) for c in imports.PROJECT_COLUMNS]
        category = str(Category.GENERAL_INDUSTRIAL.label)
        investment = str(InvestmentType.GOVERNMENT.label)
    assert "统一社会信用代码" in company_header and category == "一般工业建设项目"
    content = workbook_bytes(
        companies=[company_row()], company_header=company_header,
        projects=[[CODE_A, "一期", "", category, investment, "是", "曲江", 100, None, ""]],
        project_header=project_header,
    )

    run_import(chief, agency, content)

    project = Project.objects.get()
    assert project.investment_type == InvestmentType.GOVERNMENT and project.is_key_project


def test_the_downloaded_template_filled_in_imports(client, chief, agency):
    client.force_login(chief)
    response = client.get(reverse("companies:import_template"))
    assert response["Content-Type"] == imports.XLSX_TYPE
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == [imports.COMPANIES_SHEET, imports.PROJECTS_SHEET]
    assert book[imports.LISTS_SHEET].sheet_state == "hidden"
    projects = book[imports.PROJECTS_SHEET]
    assert {str(v.sqref) for v in projects.data_validations.dataValidation} == {
        "D2:D1001", "E2:E1001", "F2:F1001"}
    categories = [c.value for c in book[imports.LISTS_SHEET]["A"][1:]]
    book[imports.COMPANIES_SHEET].append(company_row())
    projects.append([CODE_A, "一期", "", categories[2], "社会投资", "否", "曲江", 100, 50, ""])
    buffer = io.BytesIO()
    book.save(buffer)

    result = run_import(chief, agency, buffer.getvalue())

    assert len(result.companies) == 1 and result.projects[0].category == Category.GENERAL_INDUSTRIAL


@pytest.mark.parametrize(("cell", "expected"), [
    (1, True), (0, False), (True, True), (False, False), ("是", True), ("否", False),
    ("Yes", True), (None, False),
])
def test_the_key_project_column_takes_yes_and_no_in_any_usual_form(chief, agency, cell,
                                                                    expected):
    run_import(chief, agency, workbook_bytes([company_row()],
                                             [project_row(**{"key project": cell})]))

    assert Project.objects.get().is_key_project is expected


# ------------------------------------------------------------------ bad rows: nothing stored


def test_one_bad_row_imports_nothing_and_the_report_names_it(chief, agency):
    content = workbook_bytes(
        companies=[company_row(CODE_A), company_row(CODE_B, name="二号公司")],
        projects=[project_row(CODE_A), project_row(CODE_B, name="坏行",
                                                   **{"total investment (10,000 yuan)": "很多"})],
    )

    problems = rejected(chief, agency, content)

    assert counts() == (0, 0)
    [problem] = problems
    assert (problem.sheet, problem.row) == (imports.PROJECTS_SHEET, 3)
    assert problem.column == "H · total investment (10,000 yuan)"
    assert problem.value == "很多" and "number" in problem.message


def test_a_bad_company_row_is_reported_with_the_forms_message(chief, agency):
    content = workbook_bytes(
        companies=[company_row(CODE_A[:17] + "0", **{"legal representative": ""})])

    problems = rejected(chief, agency, content)

    assert {(p.row, p.column.split(" · ")[0]) for p in problems} == {(2, "B"), (2, "C")}
    assert any("check character" in p.message for p in problems)


def test_wrong_columns_are_reported_on_the_header_row(chief, agency):
    header = ["company name", "统一社会信用代码", "favourite colour", "phone", "phone"]
    content = workbook_bytes(companies=[["甲公司", CODE_A, "red", "1", "2"]],
                             company_header=header)

    problems = rejected(chief, agency, content)

    assert all(p.row == 1 for p in problems) and counts() == (0, 0)
    messages = {(p.column, p.message.split(".")[0]) for p in problems}
    assert ("C", "This column is not one the import knows") in messages
    assert ("E · phone", "This column appears twice") in messages
    assert ("", "The column “legal representative” is missing") in messages


FORMULA_ERROR = "formula error"


@pytest.mark.parametrize(("cell", "value", "expected"), [
    ("E2", "=A2&B2", "formula"),
    ("E2", FORMULA_ERROR, "error value #REF!"),
    ("D2", datetime.date(2026, 1, 5), "date or time"),
    ("A2", "公" * 129, "at most 128 characters"),
    ("D2", True, "TRUE or FALSE"),
    ("B2", 913716020000000000, "stored as a number"),
    ("G2", "stray", "without a header"),
])
def test_broken_cells_are_refused(chief, agency, cell, value, expected):
    def edit(book):
        target = book[imports.COMPANIES_SHEET][cell]
        if value == FORMULA_ERROR:
            target.value, target.data_type = "#REF!", "e"
        else:
            target.value = value

    problems = rejected(chief, agency, workbook_bytes(companies=[company_row()], edit=edit))

    [problem] = problems
    assert problem.row == 2 and problem.column.startswith(cell[0]) and expected in problem.message
    assert counts() == (0, 0)


def test_a_date_in_a_number_column_and_a_wrong_choice_are_refused(chief, agency):
    content = workbook_bytes(companies=[company_row()], projects=[project_row(
        **{"total investment (10,000 yuan)": datetime.datetime(2026, 3, 1),
           "category": "Skyscraper", "key project": "maybe"})])

    problems = rejected(chief, agency, content)

    assert [p.column.split(" · ")[0] for p in problems] == ["D", "F", "H"]
    assert "Choose one of" in problems[0].message and "Yes" in problems[1].message


def test_duplicates_within_the_file_are_refused(chief, agency):
    content = workbook_bytes(
        companies=[company_row(CODE_A), company_row(CODE_B), company_row(CODE_A.lower())],
        projects=[project_row(CODE_A, name="一期", **{"project code": "2026-440205-30-01-000001"}),
                  project_row(CODE_B, name="二期", **{"project code": "2026-440205-30-01-000001"}),
                  project_row(CODE_A, name="一期")],
    )

    problems = rejected(chief, agency, content)

    assert [(p.sheet, p.row, p.message) for p in problems] == [
        (imports.COMPANIES_SHEET, 4, "The same unified social credit code is on row 2 already."),
        (imports.PROJECTS_SHEET, 3, "The same project code is on row 2 already."),
        (imports.PROJECTS_SHEET, 4,
         "The same company's project of this name is on row 2 already."),
    ]


def test_a_project_of_an_unknown_company_is_refused(chief, agency):
    content = workbook_bytes(companies=[company_row(CODE_A)],
                             projects=[project_row(CODE_B), project_row(None, name="无主")])

    problems = rejected(chief, agency, content)

    assert [(p.row, p.column) for p in problems] == [
        (2, "A · unified social credit code"), (3, "A · unified social credit code")]
    assert "No company has this unified social credit code" in problems[0].message
    assert counts() == (0, 0)


def test_a_taken_project_code_and_an_import_run_twice_are_refused(chief, agency):
    content = workbook_bytes(companies=[company_row()], projects=[project_row()])
    run_import(chief, agency, content)
    ProjectFactory(code="2026-440205-30-01-000999")
    before = counts()

    again = rejected(chief, agency, content)
    taken = rejected(chief, agency, workbook_bytes(projects=[project_row(
        name="三期", **{"project code": "2026-440205-30-01-000999"})]))

    assert [p.message for p in again] == ["韶关新材料有限公司 already has a project of this name."]
    assert [p.message for p in taken] == ["Another project already has this project code."]
    assert counts() == before


def test_too_many_rows_are_refused(chief, agency, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    content = workbook_bytes(companies=[company_row(valid_credit_code(600 + n))
                                        for n in range(3)])

    [problem] = rejected(chief, agency, content)

    assert problem.row == 4 and "at most 2 rows" in problem.message


# ------------------------------------------------------------------ bad files


def zip_of(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in files.items():
            package.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("content", [
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200),  # a renamed .exe
    b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    "企业名称,统一社会信用代码\n甲公司,91371602000000501X\n".encode(),
    bytes(range(256)) * 4,
    zip_of({"readme.txt": "not a workbook"}),
    b"PK\x03\x04 truncated",
], ids=["exe", "pdf", "csv", "random", "zip", "broken-zip"])
def test_a_file_that_is_not_a_workbook_is_refused(chief, agency, content):
    assert "not an Excel workbook" in file_error(chief, agency, content)
    assert counts() == (0, 0)


def test_an_old_xls_file_is_told_apart(chief, agency):
    message = file_error(chief, agency, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    assert "old-style Excel file (.xls)" in message


def test_a_damaged_workbook_is_refused(chief, agency):
    package = zip_of({"[Content_Types].xml": "<Types", "xl/workbook.xml": "garbage"})
    with zipfile.ZipFile(io.BytesIO(workbook_bytes([company_row()]))) as good:
        files = {name: good.read(name) for name in good.namelist()}
    files["xl/worksheets/sheet1.xml"] = files["xl/worksheets/sheet1.xml"][:300]
    sheet = zip_of(files)

    assert "damaged" in file_error(chief, agency, package)
    assert "damaged" in file_error(chief, agency, sheet)


def test_a_workbook_that_unpacks_too_large_is_refused(chief, agency, monkeypatch):
    monkeypatch.setattr(imports, "MAX_UNPACKED_BYTES", 1000)
    assert "unpacks to more than" in file_error(chief, agency, workbook_bytes([company_row()]))


def test_an_oversized_file_is_refused(chief, agency, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    assert "at most 1000" in file_error(chief, agency, workbook_bytes([company_row()]))


def test_empty_workbooks_are_refused(chief, agency):
    book = openpyxl.Workbook()
    buffer = io.BytesIO()
    book.save(buffer)

    assert "no sheet named" in file_error(chief, agency, buffer.getvalue())
    assert "no companies and no projects" in file_error(chief, agency, workbook_bytes())
    assert "empty" in file_error(chief, agency, b"")


def test_a_sheet_left_out_or_emptied_is_no_problem(chief, agency):
    def drop_projects(book):
        del book[imports.PROJECTS_SHEET]

    run_import(chief, agency, workbook_bytes([company_row()], edit=drop_projects))

    assert counts() == (1, 0)


# ------------------------------------------------------------------ who may import


def test_only_a_chief_specialist_of_the_agency_or_above_may_import(chief, agency):
    district = AgencyFactory(parent=agency, level=Agency.Level.COUNTY)
    other = AgencyFactory()
    content = workbook_bytes([company_row()])
    specialist = MembershipFactory(agency=agency, role=Role.SPECIALIST).user

    for user, target in ((specialist, agency), (chief, other)):
        with pytest.raises(NotAllowed):
            imports.import_workbook(by=user, agency=target, file=upload(content))
    result = run_import(chief, district, workbook_bytes([company_row()], [project_row()]))

    assert result.projects[0].agency == district
    assert list(imports.agencies_for_import(chief)) == [agency, district]


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.SUPERVISOR,
                                  Role.DEPARTMENT_REPRESENTATIVE, Role.ADMINISTRATOR])
def test_the_import_pages_are_forbidden_to_everyone_else(client, agency, role):
    client.force_login(MembershipFactory(agency=agency, role=role).user)
    assert client.get(reverse("companies:import")).status_code == 403
    assert client.get(reverse("companies:import_template")).status_code == 403
    response = client.post(reverse("companies:import"),
                           {"agency": agency.pk, "file": upload(workbook_bytes([company_row()]))})
    assert response.status_code == 403 and counts() == (0, 0)


def test_the_import_page_needs_a_login(client):
    response = client.get(reverse("companies:import"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_chief_cannot_import_into_another_agency_by_hand(client, chief):
    other = AgencyFactory()
    client.force_login(chief)
    response = client.post(reverse("companies:import"),
                           {"agency": other.pk, "file": upload(workbook_bytes([company_row()]))},
                           headers={"accept-language": "en"})
    assert "Select a valid choice" in response.content.decode() and counts() == (0, 0)


# ------------------------------------------------------------------ the pages


def post_workbook(client, user, agency, content, name="import.xlsx"):
    client.force_login(user)
    return client.post(reverse("companies:import"),
                       {"agency": agency.pk, "file": upload(content, name)},
                       headers={"accept-language": "en"})


def test_the_page_shows_what_was_created_with_links(client, chief, agency):
    response = post_workbook(client, chief, agency,
                             workbook_bytes([company_row()], [project_row()]))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-companies="1" data-projects="1"' in page
    assert reverse("companies:detail", args=[Company.objects.get().pk]) in page
    assert reverse("projects:detail", args=[Project.objects.get().pk]) in page


def test_the_page_lists_the_problems_and_offers_them_as_a_workbook(client, chief, agency):
    content = workbook_bytes([company_row(**{"legal representative": ""})],
                             [project_row(CODE_B)])

    response = post_workbook(client, chief, agency, content)

    page = response.content.decode()
    assert "Nothing was imported: the workbook has 2 problems." in page
    assert page.count('<tr data-row="2">') == 2
    report = re.search(r'href="data:[^;]+;base64,([^"]+)"', page).group(1)
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(report))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("sheet", "row", "column", "value", "problem")
    assert [(r[0], r[1]) for r in rows[1:]] == [(imports.COMPANIES_SHEET, 2),
                                                (imports.PROJECTS_SHEET, 2)]
    assert counts() == (0, 0)


def test_a_refused_formula_comes_back_as_text_in_the_report():
    problem = imports.Problem(imports.COMPANIES_SHEET, 2, "E · phone", "formula", "=A2&B2")

    cell = openpyxl.load_workbook(io.BytesIO(imports.problems_workbook([problem]))).active["D2"]

    assert (cell.value, cell.data_type) == ("=A2&B2", "s")


def test_the_page_explains_a_file_that_is_not_a_workbook(client, chief, agency):
    response = post_workbook(client, chief, agency, b"%PDF-1.4\n%%EOF\n", name="data.xlsx")

    assert "not an Excel workbook" in response.content.decode() and counts() == (0, 0)



# ------------------------------------------------------------------ the services it uses


def company_fields(code, **overrides):
    return {"name": "甲公司", "credit_code": code, "legal_representative": "李四", **overrides}


def test_create_companies_is_for_staff_and_all_or_nothing(agency):
    specialist = MembershipFactory(agency=agency, role=Role.SPECIALIST).user
    supervisor = MembershipFactory(agency=agency, role=Role.SUPERVISOR).user
    CompanyFactory(credit_code=CODE_C)

    with pytest.raises(NotAllowed):
        services.create_companies(by=supervisor, companies=[company_fields(CODE_A)])
    for companies in ([company_fields(CODE_A), company_fields(CODE_C)],
                      [company_fields(CODE_A), company_fields(CODE_A.lower())],
                      [company_fields(CODE_A), company_fields(CODE_B, name="")]):
        with pytest.raises(ValidationError):
            services.create_companies(by=specialist, companies=companies)
    assert Company.objects.count() == 1

    created = services.create_companies(by=specialist, companies=[
        company_fields(f" {CODE_A.lower()} "), company_fields(CODE_B)])

    assert [c.credit_code for c in created] == [CODE_A, CODE_B] and all(c.pk for c in created)


def test_create_projects_is_for_staff_of_the_agency_and_all_or_nothing(agency, chief):
    company = CompanyFactory()
    ProjectFactory(code="2026-440205-30-01-000009")
    fields = {"name": "一期", "category": Category.OTHER, "investment_type": InvestmentType.SOCIAL,
              "location": "曲江", "total_investment": Decimal("100")}
    outsider = MembershipFactory(role=Role.CHIEF_SPECIALIST).user

    with pytest.raises(NotAllowed):
        project_services.create_projects(by=outsider, agency=agency,
                                         projects=[(company, fields)])
    for bad in ({"code": "2026-440205-30-01-000009"}, {"total_investment": Decimal("-1")}):
        with pytest.raises(ValidationError):
            project_services.create_projects(by=chief, agency=agency, projects=[
                (company, fields), (company, {**fields, "name": "二期", **bad})])
    assert Project.objects.count() == 1

    created = project_services.create_projects(by=chief, agency=agency, projects=[
        (company, fields), (company, {**fields, "name": "二期", "code": ""})])

    assert [(p.name, p.code, p.agency) for p in created] == [("一期", None, agency),
                                                             ("二期", None, agency)]


def test_an_import_runs_a_constant_number_of_queries(chief, agency):
    def queries(n):
        codes = [valid_credit_code(700 + 10 * n + i) for i in range(n)]
        content = workbook_bytes([company_row(c, name=f"公司{c}") for c in codes],
                                 [project_row(c) for c in codes])
        with CaptureQueriesContext(connection) as captured:
            run_import(chief, agency, content)
        return len(captured)

    queries(1)  # the chief's memberships are read once and kept on the user
    assert queries(2) == queries(6)


def test_the_chiefs_workbench_links_the_import_page(client, chief):
    client.force_login(chief)

    page = client.get(reverse("portal:workbench")).content.decode()
    form = client.get(reverse("companies:import"), headers={"accept-language": "en"})

    assert reverse("companies:import") in page
    assert form.status_code == 200 and reverse("companies:import_template") in form.content.decode()
