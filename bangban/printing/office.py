"""The editable versions of the forms people fill in further: DOCX (python-docx) for the
application form, the service guide and the feedback form; XLSX (openpyxl) for the work ledger
and the directory. They carry the same labels and data as the PDFs (templates/printing/)."""

from io import BytesIO

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from bangban.cases.templatetags.case_tags import (
    ledger_action,
    ledger_details,
    ledger_state,
    role_label,
)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CJK_FONT = "SimSun"  # 宋体: what Word in China has; other systems substitute their CJK serif


def _day(value):
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = localtime(value)
    return date_format(value, "Y-m-d")


def _date_line():
    return "　　".join([pgettext("date line", "year"), pgettext("date line", "month"),
                       pgettext("date line", "day")])


# ------------------------------------------------------------------------------ DOCX


def _word(title_lines, *, landscape=False):
    document = WordDocument()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    section.left_margin = section.right_margin = Mm(20)
    style = document.styles["Normal"]
    style.font.size = Pt(11)
    style.font.name = CJK_FONT
    style.element.rPr.rFonts.set(qn("w:eastAsia"), CJK_FONT)
    for line in title_lines:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(line)
        run.bold = True
        run.font.size = Pt(16)
    return document


def _ruled_table(document, rows, *, columns):
    """A table with black rules; each row a list of cell texts, `None` merging the cell into
    the one before it (a label spanning or a value spanning)."""
    table = document.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    for values in rows:
        cells = table.add_row().cells
        start = 0
        for index, value in enumerate(values):
            if value is None:
                cells[start].merge(cells[index])
                continue
            start = index
            cells[index].text = str(value)
    return table


def _signature_lines(document, labels):
    for label in labels:
        document.add_paragraph()
        document.add_paragraph(f"{label}：")
        paragraph = document.add_paragraph(_date_line())
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _docx_bytes(document):
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def application_docx(case, form):
    document = _word([case.agency.name, str(form.label)])
    document.add_paragraph(
        f"{_('Construction unit (official seal)')}：{case.project.company.name}"
        f"　　{_day(case.submitted_at) or _date_line()}"
    )
    requested = [case.requested_items_note] if case.requested_items_note else []
    requested += [stage.name for stage in case.requested_stages.all()]
    requested += [matter.name for matter in case.requested_matters.all()]
    project = case.project.name + (f"（{case.project.code}）" if case.project.code else "")
    _ruled_table(document, [
        [_("case number"), case.number, None, None],
        [_("project name"), project, None, None],
        [_("contact"), case.company_contact.name, _("phone"), case.company_contact.phone],
        [_("service mode"), case.get_mode_display(), _("service scope"),
         case.get_scope_display()],
        [_("project summary"), case.project_summary, None, None],
        [_("requested items"), "\n".join(requested), None, None],
        [_("handler's opinion"), case.handler_opinion, None, None],
        [_("leader's instruction"), case.leader_instruction, None, None],
    ], columns=4)
    _signature_lines(document, [_("Applicant (signature and seal)"),
                                _("Service agency (seal)")])
    return _docx_bytes(document)


def guide_docx(case, form):
    document = _word([case.agency.name, str(form.label)], landscape=True)
    document.add_paragraph(f"{_('project name')}：{case.project.name}　　"
                           f"{_('case number')}：{case.number}")
    document.add_paragraph(f"{_('company')}：{case.project.company.name}　　"
                           f"{_('target completion date')}："
                           f"{_day(case.target_completion_date) or '—'}")
    rows = [[_("No."), _("stage"), _("matter"), _("department"), _("required materials"),
             _("promised time limit"), _("planned schedule")]]
    for number, item in enumerate(case.items.all(), start=1):
        rows.append([
            number, item.matter.stage.name, item.matter.name, item.department.name,
            "\n".join(f"{n}. {m}" for n, m in enumerate(item.materials, start=1)),
            f"{item.promised_limit} {item.get_limit_unit_display()}",
            f"{_day(item.planned_start) or '—'} – {_day(item.planned_end) or '—'}",
        ])
    _ruled_table(document, rows, columns=7)
    document.add_paragraph()
    specialist = case.specialist
    _ruled_table(document, [
        [_("responsible specialist"), specialist.display_name if specialist else "—",
         _("phone"), (specialist.phone if specialist else "") or "—"],
        [_("agency"), case.agency.name, _("phone"), case.agency.phone or "—"],
    ], columns=4)
    return _docx_bytes(document)


def feedback_docx(problem):
    case = problem.case
    document = _word([case.agency.name, _("Feedback form")])
    document.add_paragraph(f"{_('problem number')}：{problem.number}　　"
                           f"{_day(problem.raised_at)}")
    _ruled_table(document, [
        [_("project name"), case.project.name, None, None],
        [_("company"), case.project.company.name, None, None],
        [_("contact"), case.company_contact.name, _("phone"), case.company_contact.phone],
        [_("matter"), problem.item.matter.name if problem.item_id else "—", _("department"),
         problem.department.name],
        [_("title"), problem.title, None, None],
        [_("what is wrong"), problem.description, None, None],
        [_("what the company wants"), problem.requested_outcome, None, None],
        [_("department's answer"), problem.answer, None, None],
        [_("answer to the company"), problem.relayed_answer, None, None],
        [_("level"), problem.get_level_display(), _("state"), problem.get_state_display()],
    ], columns=4)
    _signature_lines(document, [_("Company (seal)"), _("Responsible specialist (signature)")])
    return _docx_bytes(document)


# ------------------------------------------------------------------------------ XLSX

_RULE = Side(style="thin", color="000000")
_BORDER = Border(left=_RULE, right=_RULE, top=_RULE, bottom=_RULE)
_WRAP = Alignment(wrap_text=True, vertical="top")


def _sheet_table(sheet, header, rows, *, widths):
    """Writes a bordered table a row below what the sheet holds, header in bold."""
    start = sheet.max_row + 2
    for offset, values in enumerate([header, *rows]):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=start + offset, column=column, value=value)
            cell.border = _BORDER
            cell.alignment = _WRAP
            if offset == 0:
                cell.font = Font(bold=True)
    for column, width in enumerate(widths, start=1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = max(
            sheet.column_dimensions[letter].width or 0, width)


def _title(sheet, text, columns):
    sheet.append([text])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")


def _xlsx_bytes(workbook):
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ledger_xlsx(case, form, ledger):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(form.label)[:31]
    _title(sheet, f"{case.agency.name} {form.label}", 7)
    specialist = case.specialist
    for label, value in [
        (_("project name"), case.project.name),
        (_("company"), case.project.company.name),
        (_("case number"), case.number),
        (_("contact"), f"{case.company_contact.name} {case.company_contact.phone}"),
        (_("responsible specialist"), specialist.display_name if specialist else ""),
        (_("state"), case.get_state_display()),
        (_("target completion date"), _day(case.target_completion_date)),
    ]:
        sheet.append([label, value])
    _sheet_table(
        sheet,
        [_("No."), _("matter"), _("department"), _("state"), _("accepted at"), _("due date"),
         _("result document number")],
        [[n, item.matter.name, item.department.name, item.get_state_display(),
          _day(item.accepted_at), _day(item.due_date), item.result_number]
         for n, item in enumerate(case.items.all(), start=1)],
        widths=[16, 30, 20, 14, 14, 14, 20],
    )
    _sheet_table(
        sheet,
        [_("time"), _("by"), _("acting as"), _("action"), _("matter"), _("state"),
         _("reason / note")],
        [[localtime(entry.at).strftime("%Y-%m-%d %H:%M"), entry.actor.display_name,
          str(role_label(entry.actor_role)), str(ledger_action(entry)),
          entry.item.matter.name if entry.item_id else "",
          (f"{ledger_state(entry.from_state, entry) or '—'} → "
           f"{ledger_state(entry.to_state, entry)}"
           if entry.from_state != entry.to_state else ""),
          "\n".join([entry.reason, *ledger_details(entry)]).strip()]
         for entry in ledger],
        widths=[18, 14, 14, 20, 24, 20, 40],
    )
    return _xlsx_bytes(workbook)


def directory_xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    title = _("Directory of chief responsible persons and specialists")
    sheet.title = title[:31]
    _title(sheet, title, 4)

    def people(cards, *, email):
        return "\n".join(" ".join(filter(None, [card.name, card.phone,
                                                card.email if email else ""]))
                         for card in cards)

    _sheet_table(
        sheet,
        [_("No."), _("Responsible unit"), _("Chief responsible person"),
         _("Specialists, phones and e-mails")],
        [[row["number"], row["unit"], people(row["chiefs"], email=False),
          people(row["specialists"], email=True)] for row in rows],
        widths=[8, 30, 24, 48],
    )
    return _xlsx_bytes(workbook)
