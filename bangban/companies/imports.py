"""Import of companies and projects from one Excel workbook (docs/import.md).

The workbook has a sheet of companies and a sheet of projects, each with a header row. Every
row is checked with the form the pages use (`CompanyImportForm`, `ProjectImportForm`), so the
import's rules are the pages' rules; a project names its company by unified social credit
code, either a company of the same workbook or one registered already. A company registered
already is referenced and left unchanged. If any row is wrong nothing is stored and the caller
gets every problem (sheet, row, column, message); otherwise everything is created in one
transaction through the services.

The file is not trusted: its content must be an .xlsx package (whatever its name), it may not
unpack to more than `MAX_UNPACKED_BYTES`, and each sheet holds at most `MAX_ROWS` rows.
Formulas and error values are refused as broken cells: an import takes values, and a formula's
cached result may be stale or missing.
"""

import datetime
import functools
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from bangban.accounts.agency_tree import agencies_under
from bangban.accounts.models import Agency, Role
from bangban.accounts.permissions import agency_paths_for
from bangban.companies.credit_code import normalize_credit_code
from bangban.companies.forms import CompanyImportForm, ProjectImportForm
from bangban.companies.models import Company
from bangban.companies.services import create_companies
from bangban.core.errors import DomainError, NotAllowed
from bangban.projects.models import Category, InvestmentType, Project
from bangban.projects.services import create_projects, is_staff_of_agency

# Sheet names are the same in every language, so one template serves both.
COMPANIES_SHEET = "企业 Companies"
PROJECTS_SHEET = "项目 Projects"
LISTS_SHEET = "Lists"
MAX_ROWS = 1000
# Headers further right than this are not read.
MAX_COLUMNS = 40
# An .xlsx is a zip: a small upload may unpack to gigabytes of XML.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Problems shown on the page; the downloadable report has them all.
PROBLEMS_SHOWN = 500

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TEXT, NUMBER, CHOICE, YES_NO = "text", "number", "choice", "yes_no"

# Written in the cells by people, so not translated: what counts as yes and no.
YES_WORDS = frozenset({"yes", "y", "true", "1", "是", "√", "✓"})
NO_WORDS = frozenset({"no", "n", "false", "0", "否", "×", "✗"})


@dataclass(frozen=True)
class Column:
    key: str  # the form field, or `company` for a project's company
    label: Promise
    kind: str = TEXT
    required: bool = False  # the header must be there
    width: int = 20
    choices: tuple = ()
    hint: Promise | str = ""


def _label(model, name):
    return model._meta.get_field(name).verbose_name


COMPANY_COLUMNS = (
    Column("name", _label(Company, "name"), required=True, width=36),
    Column("credit_code", _label(Company, "credit_code"), required=True, width=24,
           hint=gettext_lazy("18 characters, as printed on the business licence.")),
    Column("legal_representative", _label(Company, "legal_representative"), required=True),
    Column("address", _label(Company, "address"), width=40),
    Column("phone", _label(Company, "phone"), width=18),
)

PROJECT_COLUMNS = (
    Column("company", _label(Company, "credit_code"), required=True, width=24,
           hint=gettext_lazy("The company's code: a company on the companies sheet or one "
                             "registered already.")),
    Column("name", _label(Project, "name"), required=True, width=36),
    Column("code", _label(Project, "code"), width=26,
           hint=Project._meta.get_field("code").help_text),
    Column("category", _label(Project, "category"), CHOICE, required=True, width=36,
           choices=tuple(Category.choices)),
    Column("investment_type", _label(Project, "investment_type"), CHOICE, required=True,
           width=20, choices=tuple(InvestmentType.choices)),
    Column("is_key_project", _label(Project, "is_key_project"), YES_NO, width=12),
    Column("location", _label(Project, "location"), required=True, width=36),
    Column("total_investment", _label(Project, "total_investment"), NUMBER, required=True,
           width=18),
    Column("floor_area", _label(Project, "floor_area"), NUMBER, width=16),
    Column("description", _label(Project, "description"), width=48),
)

SHEETS = ((COMPANIES_SHEET, COMPANY_COLUMNS), (PROJECTS_SHEET, PROJECT_COLUMNS))


def _normal(text):
    """Header and choice names compared without case, spaces or full-width forms."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return "".join(text.split()).rstrip("*")


def _names_in_every_language(label):
    names = {str(label)}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names.add(str(label))
    return names


def _yes_no_label(value):
    return _("Yes") if value else _("No")


@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str
    message: str
    value: str = ""


@dataclass
class ImportResult:
    agency: Agency
    companies: list = field(default_factory=list)
    existing_companies: list = field(default_factory=list)
    projects: list = field(default_factory=list)


class ImportRejected(DomainError):
    """The workbook has problems; nothing was stored. `problems` lists them all."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(ngettext(
            "Nothing was imported: the workbook has %(count)d problem. Correct it and upload "
            "the workbook again.",
            "Nothing was imported: the workbook has %(count)d problems. Correct them and "
            "upload the workbook again.", len(problems),
        ) % {"count": len(problems)})


# ------------------------------------------------------------------ who may import


def agencies_for_import(user):
    """The agencies the user is a chief specialist of, and the ones below them."""
    return agencies_under(agency_paths_for(user, Role.CHIEF_SPECIALIST)).select_related("parent")


def can_import(user, agency):
    return user.is_authenticated and is_staff_of_agency(
        user, agency, roles={Role.CHIEF_SPECIALIST})


# ------------------------------------------------------------------ reading the file


def _not_a_workbook(reason=None):
    message = _("This file is not an Excel workbook (.xlsx), whatever its name says. Open it "
                "in Excel or WPS and save it as “Excel Workbook (*.xlsx)”, or start from the "
                "template.")
    return ValidationError({"file": reason or message}, code="not_xlsx")


def _open_workbook(file):
    """The workbook, read-only with formulas as written; ValidationError on `file` when the
    content is not an .xlsx that can be read safely."""
    if file is None:
        raise ValidationError({"file": _("Please choose a file.")}, code="required")
    if file.size == 0:
        raise ValidationError({"file": _("The file is empty.")}, code="empty")
    if file.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError({"file": _(
            "The file is %(size)s; files may be at most %(limit)s."
        ) % {"size": filesizeformat(file.size),
             "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)}}, code="too_big")
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _not_a_workbook(_(
            "This is an old-style Excel file (.xls). Open it in Excel or WPS and save it as "
            "“Excel Workbook (*.xlsx)”."))
    if not head.startswith(b"PK"):
        raise _not_a_workbook()
    try:
        with zipfile.ZipFile(file) as package:
            names = set(package.namelist())
            unpacked = sum(entry.file_size for entry in package.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_a_workbook() from None
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _not_a_workbook()
    if unpacked > MAX_UNPACKED_BYTES:
        raise _not_a_workbook(_(
            "This workbook unpacks to more than %(limit)s; import at most %(rows)d rows per "
            "sheet at a time.") % {"limit": filesizeformat(MAX_UNPACKED_BYTES),
                                  "rows": MAX_ROWS})
    file.seek(0)
    try:
        return openpyxl.load_workbook(file, read_only=True, data_only=False)
    except Exception:  # a damaged package can fail anywhere inside openpyxl
        raise _damaged() from None


def _damaged():
    return _not_a_workbook(_("This workbook is damaged and cannot be read. Open it in Excel or "
                             "WPS, save it again and upload the new file."))


class _Damaged(Exception):
    pass


def _rows_of(sheet):
    """The sheet's rows as tuples of cells (gaps filled with empty ones)."""
    rows = sheet.iter_rows(max_col=MAX_COLUMNS)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as error:  # a damaged sheet can fail anywhere inside openpyxl
            raise _Damaged from error
        yield row


def _find_sheet(workbook, name):
    """The sheet called `name`, or by its Chinese or English half alone."""
    wanted = {_normal(name), *(_normal(part) for part in name.split())}
    for sheet_name in workbook.sheetnames:
        if _normal(sheet_name) in wanted:
            return workbook[sheet_name]
    return None


@dataclass
class _Row:
    number: int
    cells: dict  # column key → cell


def _header_lookup(columns):
    lookup = {}
    for column in columns:
        for name in _names_in_every_language(column.label):
            lookup[_normal(name)] = column
    return lookup


def _column_name(index, column=None):
    letter = get_column_letter(index + 1)
    return f"{letter} · {column.label}" if column is not None else letter


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _read_rows(sheet, sheet_name, columns, problems):
    """The sheet's non-empty rows under a checked header; header problems go to `problems`
    (and then no row is read: with the wrong columns every row would be wrong)."""
    rows = _rows_of(sheet)
    header = next(rows, ())
    if all(_blank(cell.value) for cell in header):
        # An untouched sheet has nothing to import; rows under no header would be lost unread.
        if any(not all(_blank(cell.value) for cell in cells) for cells in rows):
            problems.append(Problem(
                sheet_name, 1, "",
                _("The first row is empty; it must hold the column names: %(names)s.")
                % {"names": " / ".join(str(c.label) for c in columns)}))
        return []
    lookup = _header_lookup(columns)
    positions = {}
    header_problems = []
    for index, cell in enumerate(header):
        if _blank(cell.value):
            continue
        column = lookup.get(_normal(cell.value))
        if column is None:
            header_problems.append(Problem(
                sheet_name, 1, _column_name(index),
                _("This column is not one the import knows. The columns of this sheet are: "
                  "%(names)s.") % {"names": " / ".join(str(c.label) for c in columns)},
                str(cell.value),
            ))
        elif column in positions.values():
            header_problems.append(Problem(
                sheet_name, 1, _column_name(index, column),
                _("This column appears twice."), str(cell.value)))
        else:
            positions[index] = column
    for column in columns:
        if column.required and column not in positions.values():
            header_problems.append(Problem(
                sheet_name, 1, "",
                _("The column “%(name)s” is missing.") % {"name": column.label}))
    if header_problems:
        problems.extend(header_problems)
        return []
    found = []
    for number, cells in enumerate(rows, start=2):
        if all(_blank(cell.value) for cell in cells):
            continue
        if len(found) == MAX_ROWS:
            problems.append(Problem(sheet_name, number, "", ngettext(
                "A sheet may hold at most %(max)d row; import the rest in another workbook.",
                "A sheet may hold at most %(max)d rows; import the rest in another workbook.",
                MAX_ROWS) % {"max": MAX_ROWS}))
            break
        row = _Row(number, {})
        for index, cell in enumerate(cells):
            if index in positions:
                row.cells[positions[index].key] = (index, cell)
            elif not _blank(cell.value):
                problems.append(Problem(
                    sheet_name, number, _column_name(index),
                    _("This cell is in a column without a header; move it under the right "
                      "column or delete it."), _shown(cell.value)))
        found.append(row)
    return found


def _shown(value):
    text = str(getattr(value, "text", value))
    return text if len(text) <= 60 else f"{text[:57]}…"


def _number_text(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@functools.cache
def _choice_lookup(key):
    """{normal name: value} of a choice column: its values and labels in every language."""
    column = next(c for _name, columns in SHEETS for c in columns if c.key == key)
    lookup = {}
    for choice, label in column.choices:
        lookup[_normal(choice)] = choice
        for name in _names_in_every_language(label):
            lookup[_normal(name)] = choice
    return lookup


def _cell_text(cell, column):
    """The cell as the text a form field expects; ValueError with the message when the cell
    is broken or holds the wrong kind of value."""
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "e":
        raise ValueError(_("This cell holds the error value %(error)s; enter the value "
                           "itself.") % {"error": value})
    if cell.data_type == "f" or not isinstance(
            value, (str, bool, int, float, Decimal, datetime.date, datetime.time,
                    datetime.timedelta)):
        raise ValueError(_("This cell holds a formula; enter the value itself (copy the cells "
                           "and paste them as values)."))
    if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
        raise ValueError(_("This cell holds a date or time, which this column does not take. "
                           "If Excel turned what you typed into a date, format the cell as "
                           "text and type it again."))
    if isinstance(value, bool):
        if column.kind != YES_NO:
            raise ValueError(_("This cell holds TRUE or FALSE, which this column does not "
                               "take."))
        text = "yes" if value else "no"
    elif isinstance(value, (int, float, Decimal)):
        if column.key in ("credit_code", "company"):
            # Excel keeps 15 digits of a number: an all-digit code typed as one is damaged.
            raise ValueError(_("This code is stored as a number, which loses digits. Format "
                               "the column as text and type the code again."))
        text = _number_text(value)
    else:
        text = value.strip()
    if column.kind == YES_NO:
        word = _normal(text)
        if word in YES_WORDS or word == _normal(_yes_no_label(True)):
            return "true"
        if word in NO_WORDS or word == _normal(_yes_no_label(False)) or not word:
            return ""
        raise ValueError(_("Enter “%(yes)s” or “%(no)s”.")
                         % {"yes": _yes_no_label(True), "no": _yes_no_label(False)})
    if column.kind == CHOICE and text:
        lookup = _choice_lookup(column.key)
        if _normal(text) not in lookup:
            raise ValueError(_("Choose one of: %(choices)s.") % {
                "choices": " / ".join(str(label) for _choice, label in column.choices)})
        return lookup[_normal(text)]
    return text


def _bind(row, sheet_name, columns, form_class, problems):
    """The row's bound, validated form (or None), its problems added to `problems`."""
    by_key = {column.key: column for column in columns}
    data, broken = {}, set()
    for key, (index, cell) in row.cells.items():
        try:
            data[key] = _cell_text(cell, by_key[key])
        except ValueError as error:
            broken.add(key)
            problems.append(Problem(sheet_name, row.number, _column_name(index, by_key[key]),
                                    str(error), _shown(cell.value)))
    form = form_class(data)
    valid = form.is_valid()
    for key, errors in form.errors.items():
        if key in broken:
            continue
        index, cell = row.cells.get(key, (None, None))
        column = by_key.get(key)
        name = _column_name(index, column) if index is not None else (
            str(column.label) if column else "")
        value = _shown(cell.value) if cell is not None and cell.value is not None else ""
        for message in errors:
            problems.append(Problem(sheet_name, row.number, name, message, value))
    return form if valid and not broken else None


def _checked_companies(rows, problems):
    """{credit code: (row, cleaned data)} of the sheet's companies."""
    companies = {}
    for row in rows:
        form = _bind(row, COMPANIES_SHEET, COMPANY_COLUMNS, CompanyImportForm, problems)
        code = normalize_credit_code(_raw_text(row, "credit_code"))
        if code and code in companies:
            problems.append(Problem(
                COMPANIES_SHEET, row.number, _named_column(row, COMPANY_COLUMNS, "credit_code"),
                _("The same unified social credit code is on row %(row)d already.")
                % {"row": companies[code][0].number}, code))
            continue
        if code:
            companies[code] = (row, form.cleaned_data if form else None)
    return companies


def _raw_text(row, key):
    _index, cell = row.cells.get(key, (None, None))
    return cell.value if cell is not None and isinstance(cell.value, str) else ""


def _is_empty(row, key):
    _index, cell = row.cells.get(key, (None, None))
    return cell is None or _blank(cell.value)


def _named_column(row, columns, key):
    column = next(c for c in columns if c.key == key)
    index, _cell = row.cells.get(key, (None, None))
    return _column_name(index, column) if index is not None else str(column.label)


def _checked_projects(rows, company_codes, problems):
    """[(row, credit code, cleaned data)] of the sheet's projects."""
    checked, seen_codes, seen_names = [], {}, {}
    for row in rows:
        form = _bind(row, PROJECTS_SHEET, PROJECT_COLUMNS, ProjectImportForm, problems)
        company = normalize_credit_code(_raw_text(row, "company"))
        if not company and _is_empty(row, "company"):
            problems.append(Problem(
                PROJECTS_SHEET, row.number, _named_column(row, PROJECT_COLUMNS, "company"),
                _("Enter the unified social credit code of the project's company.")))
        elif company and company not in company_codes:
            problems.append(Problem(
                PROJECTS_SHEET, row.number, _named_column(row, PROJECT_COLUMNS, "company"),
                _("No company has this unified social credit code: add the company to the "
                  "sheet %(sheet)s, or register it first.") % {"sheet": COMPANIES_SHEET},
                company))
        if form is None:
            continue
        data = form.cleaned_data
        if data["code"]:
            if data["code"] in seen_codes:
                problems.append(Problem(
                    PROJECTS_SHEET, row.number, _named_column(row, PROJECT_COLUMNS, "code"),
                    _("The same project code is on row %(row)d already.")
                    % {"row": seen_codes[data["code"]]}, data["code"]))
            seen_codes.setdefault(data["code"], row.number)
        name_key = (company, data["name"])
        if name_key in seen_names:
            problems.append(Problem(
                PROJECTS_SHEET, row.number, _named_column(row, PROJECT_COLUMNS, "name"),
                _("The same company's project of this name is on row %(row)d already.")
                % {"row": seen_names[name_key]}, data["name"]))
        seen_names.setdefault(name_key, row.number)
        checked.append((row, company, data))
    return checked


def _check_against_database(projects, existing, problems):
    """Project codes already taken, and projects a registered company has already (an import
    run twice)."""
    codes = {data["code"] for _row, _company, data in projects if data["code"]}
    taken = set(Project.objects.filter(code__in=codes).values_list("code", flat=True))
    names = {(existing[company].pk, data["name"]) for _row, company, data in projects
             if company in existing}
    had = set(Project.objects.filter(
        company_id__in={pk for pk, _name in names}, name__in={name for _pk, name in names},
    ).values_list("company_id", "name"))
    for row, company, data in projects:
        if data["code"] in taken:
            problems.append(Problem(
                PROJECTS_SHEET, row.number, _named_column(row, PROJECT_COLUMNS, "code"),
                _("Another project already has this project code."), data["code"]))
        if company in existing and (existing[company].pk, data["name"]) in had:
            problems.append(Problem(
                PROJECTS_SHEET, row.number, _named_column(row, PROJECT_COLUMNS, "name"),
                _("%(company)s already has a project of this name.")
                % {"company": existing[company].name}, data["name"]))


def _sorted(problems):
    order = {COMPANIES_SHEET: 0, PROJECTS_SHEET: 1}
    return sorted(problems, key=lambda p: (order.get(p.sheet, 2), p.row or 0))


@transaction.atomic
def import_workbook(*, by, agency, file) -> ImportResult:
    """Creates the workbook's companies and projects (the projects at `agency`), or nothing.

    ValidationError on `file` when the file itself is not a readable workbook; ImportRejected
    with every problem when a sheet, a column or a row is wrong.
    """
    if not can_import(by, agency):
        raise NotAllowed(_("Only a chief specialist of the agency may import companies and "
                           "projects."))
    workbook = _open_workbook(file)
    try:
        sheets = {name: _find_sheet(workbook, name) for name, _columns in SHEETS}
        if not any(sheets.values()):
            raise ValidationError({"file": _(
                "The workbook has no sheet named “%(companies)s” or “%(projects)s”. Start from "
                "the template.") % {"companies": COMPANIES_SHEET, "projects": PROJECTS_SHEET}},
                code="no_sheets")
        problems, rows = [], {}
        try:
            for name, columns in SHEETS:
                rows[name] = (_read_rows(sheets[name], name, columns, problems)
                              if sheets[name] is not None else [])
        except _Damaged:
            raise _damaged() from None
    finally:
        workbook.close()
    if not problems and not any(rows.values()):
        raise ValidationError({"file": _("The workbook holds no companies and no projects: "
                                         "fill in the rows under the headers.")}, code="empty")
    companies = _checked_companies(rows[COMPANIES_SHEET], problems)
    project_codes = {normalize_credit_code(_raw_text(row, "company"))
                     for row in rows[PROJECTS_SHEET]}
    existing = {c.credit_code: c for c in Company.objects.filter(
        credit_code__in=set(companies) | project_codes)}
    projects = _checked_projects(rows[PROJECTS_SHEET], set(companies) | set(existing), problems)
    _check_against_database(projects, existing, problems)
    if problems:
        raise ImportRejected(_sorted(problems))

    result = ImportResult(agency=agency)
    result.existing_companies = [existing[code] for code in companies if code in existing]
    result.companies = create_companies(by=by, companies=[
        data for code, (_row, data) in companies.items() if code not in existing])
    by_code = {**existing, **{company.credit_code: company for company in result.companies}}
    result.projects = create_projects(by=by, agency=agency, projects=[
        (by_code[company], data) for _row, company, data in projects])
    return result


# ------------------------------------------------------------------ workbooks we write


def _save(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")


def _header(sheet, labels, widths):
    sheet.append(labels)
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def template_workbook() -> bytes:
    """The empty workbook to fill in: headers in the user's language with a hint on each,
    text columns formatted as text (so Excel keeps codes and phone numbers as typed), and
    drop-down lists on the choice columns."""
    workbook = openpyxl.Workbook()
    lists = workbook.active
    lists.title = LISTS_SHEET
    list_columns = [c for _name, columns in SHEETS for c in columns if c.kind in (CHOICE,
                                                                                   YES_NO)]
    ranges = {}
    for index, column in enumerate(list_columns, start=1):
        labels = ([str(label) for _value, label in column.choices] if column.kind == CHOICE
                  else [_yes_no_label(True), _yes_no_label(False)])
        letter = get_column_letter(index)
        lists.cell(row=1, column=index, value=str(column.label))
        for offset, label in enumerate(labels, start=2):
            lists.cell(row=offset, column=index, value=label)
        ranges[column.key] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(labels) + 1}"
    lists.sheet_state = "hidden"
    for position, (name, columns) in enumerate(SHEETS):
        sheet = workbook.create_sheet(name, position)
        _header(sheet, [str(c.label) for c in columns], [c.width for c in columns])
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            hints = [str(column.hint)] if column.hint else []
            if column.required:
                hints.append(_("Required."))
            if hints:
                sheet.cell(row=1, column=index).comment = Comment(" ".join(hints), "Bangban")
            if column.kind in (TEXT, CHOICE, YES_NO):
                sheet.column_dimensions[letter].number_format = "@"
            if column.key in ranges:
                validation = DataValidation(
                    type="list", formula1=f"={ranges[column.key]}", allow_blank=True,
                    showErrorMessage=True, errorTitle=str(column.label),
                    error=_("Choose a value from the list."),
                )
                validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
                sheet.add_data_validation(validation)
    workbook.active = 0
    return _save(workbook)


def problems_workbook(problems) -> bytes:
    """The problems as a workbook, one per row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Problems"
    _header(sheet, [_("sheet"), _("row"), _("column"), _("value"), _("problem")],
            [18, 8, 28, 30, 80])
    for number, problem in enumerate(problems, start=2):
        values = (problem.sheet, problem.row, problem.column, problem.value, problem.message)
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=number, column=column)
            if isinstance(value, str):
                # Set as text: a refused "=formula" must not come back as a working formula.
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"
            else:
                cell.value = value
    return _save(workbook)
