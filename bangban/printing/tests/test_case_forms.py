"""The case's forms: each renders with its labels and the case's data, in each format, only
for those who may print it."""

from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from bangban.accounts.models import Role
from bangban.cases.models import HandoverMethod, SuspensionReason, TerminationReason
from bangban.cases.services import record_ledger
from bangban.cases.workflow import CaseState
from bangban.printing.selectors import forms_of_case
from bangban.printing.tests.conftest import contains, docx_text, pdf_text, xlsx_text

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}


def _url(case, name, fmt):
    return reverse("printing:case_form", args=[case.pk, name, fmt])


def _get(client, user, url, **headers):
    client.force_login(user)
    return client.get(url, headers={**EN, **headers})


def test_application_form_pdf_has_hunan_fields_and_the_case_data(client, world):
    case = world.case
    response = _get(client, world.specialist, _url(case, "application", "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    text = pdf_text(response.content)
    contains(text, "Service application form", "Construction unit (official seal)",
             "project name", "contact", "phone", "project summary", "requested items",
             "handler's opinion", "leader's instruction", "Applicant (signature and seal)")
    contains(text, case.agency.name, case.project.name, case.project.company.name,
             case.company_contact.name, case.company_contact.phone, case.project_summary,
             "建筑工程施工许可证核发", "施工许可及竣工验收", "材料齐全，建议受理",
             "同意，抓紧办理", case.number)


def test_application_form_docx_for_the_company(client, world):
    response = _get(client, world.applicant, _url(world.case, "application", "docx"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = docx_text(response.content)
    contains(text, "Service application form", "project name", "handler's opinion",
             world.case.project.name, world.case.company_contact.phone,
             "建筑工程施工许可证核发", "材料齐全，建议受理")


def test_service_guide_lists_items_materials_limits_and_schedule(client, world):
    for fmt, read in (("pdf", pdf_text), ("docx", docx_text)):
        response = _get(client, world.applicant, _url(world.case, "guide", fmt))
        assert response.status_code == 200
        text = read(response.content)
        contains(text, "Service guide", "required materials", "promised time limit",
                 "responsible specialist")
        contains(text, world.case.project.name, "建筑工程施工许可证核发", "区住房和城乡建设局",
                 "施工许可申请表", "施工图审查合格书", "7", "2026-03-02", "2026-03-11",
                 "李专员", "13811112222")


def test_work_ledger_has_the_items_and_the_dated_entries(client, world):
    for fmt, read in (("pdf", pdf_text), ("xlsx", xlsx_text)):
        response = _get(client, world.chief, _url(world.case, "ledger", fmt))
        assert response.status_code == 200
        text = read(response.content)
        contains(text, "Work ledger", "due date", "reason / note", "Log a contact", "state")
        contains(text, world.case.project.name, "建筑工程施工许可证核发", "2026-03-11",
                 "住建许字〔2026〕18号", "电话联系企业补充施工图", "李专员",
                 world.item.get_state_display())


def test_completion_sheet_once_the_results_are_handed_over(client, world):
    case = world.case
    assert "completion" not in [f.name for f in forms_of_case(world.specialist, case)]
    assert _get(client, world.specialist, _url(case, "completion", "pdf")).status_code == 404
    case.handover_method = HandoverMethod.MAIL
    case.handover_tracking_number = "SF100200300"
    case.handed_over_at = timezone.now()
    case.save()
    response = _get(client, world.applicant, _url(case, "completion", "pdf"))
    assert response.status_code == 200
    text = pdf_text(response.content)
    contains(text, "Completion sheet", "handover of results", "tracking number",
             "Company representative (signature and seal)")
    contains(text, case.project.name, "SF100200300", "住建许字〔2026〕18号",
             "建筑工程施工许可证核发")


def test_suspension_notice_states_the_reason(client, world):
    case = world.case
    case.state = CaseState.SUSPENDED
    case.suspended_from_state = CaseState.IN_PROGRESS
    case.suspension_reason = SuspensionReason.FEES_UNPAID
    case.save()
    record_ledger(case=case, by=world.specialist, role=Role.SPECIALIST, action="suspend",
                  from_state=CaseState.IN_PROGRESS, to_state=CaseState.SUSPENDED,
                  reason="企业未按期缴纳城市基础设施配套费")
    assert _get(client, world.applicant, _url(case, "termination", "pdf")).status_code == 404
    response = _get(client, world.applicant, _url(case, "suspension", "pdf"))
    assert response.status_code == 200
    text = pdf_text(response.content)
    contains(text, "Suspension notice", "reason for suspension",
             "The company has not paid the required fees")
    contains(text, case.project.name, case.project.company.name, "企业未按期缴纳城市基础设施配套费",
             timezone.localdate().isoformat())


def test_termination_notice_states_the_reason(client, world):
    case = world.case
    case.state = CaseState.TERMINATED
    case.termination_reason = TerminationReason.LAW_CHANGED
    case.save()
    record_ledger(case=case, by=world.chief, role=Role.CHIEF_SPECIALIST, action="terminate",
                  from_state=CaseState.IN_PROGRESS, to_state=CaseState.TERMINATED,
                  reason="规划调整，项目用地性质变更")
    response = _get(client, world.specialist, _url(case, "termination", "pdf"))
    assert response.status_code == 200
    text = pdf_text(response.content)
    contains(text, "Termination notice", "reason for termination",
             "Laws, regulations or state policy changed")
    contains(text, case.project.name, "规划调整，项目用地性质变更")


def test_chinese_data_is_extractable_so_the_cjk_font_is_embedded(client, world):
    client.force_login(world.specialist)
    with translation.override("zh-hans"):
        response = client.get(_url(world.case, "application", "pdf"),
                              headers={"accept-language": "zh-hans"})
    text = pdf_text(response.content)
    contains(text, world.case.project.name, world.case.project.company.name, "材料齐全，建议受理")


def test_chinese_filename_travels_as_rfc_5987(client, world):
    client.force_login(world.specialist)
    response = client.get(_url(world.case, "application", "pdf"),
                          headers={"accept-language": "zh-hans"})
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; filename*=utf-8''")
    assert quote(world.case.project.name) in disposition


@pytest.mark.parametrize("name,fmt", [
    ("application", "pdf"), ("application", "docx"), ("guide", "pdf"), ("guide", "docx"),
    ("ledger", "pdf"), ("ledger", "xlsx"),
])
def test_another_companys_user_and_an_outsider_get_404(client, world, name, fmt):
    for user in (world.other_company, world.outsider):
        assert _get(client, user, _url(world.case, name, fmt)).status_code == 404


def test_the_ledger_is_not_printed_for_the_company_nor_the_department(client, world):
    for user in (world.applicant, world.department):
        assert _get(client, user, _url(world.case, "ledger", "pdf")).status_code == 404
    assert _get(client, world.department, _url(world.case, "application", "pdf")
                ).status_code == 404


def test_unknown_forms_and_formats_are_404(client, world):
    for name, fmt in (("ledger", "docx"), ("completion", "xlsx"), ("nothing", "pdf")):
        assert _get(client, world.specialist, _url(world.case, name, fmt)).status_code == 404


def test_the_company_gets_its_guide_only_once_the_plan_is_published(client, world):
    case = world.case
    case.plan_published_at = None
    case.state = CaseState.PLANNED
    case.save()
    assert _get(client, world.applicant, _url(case, "guide", "pdf")).status_code == 404
    assert "guide" in [f.name for f in forms_of_case(world.specialist, case)]


def test_case_page_lists_the_forms_the_user_may_print(client, world):
    page = _get(client, world.specialist, reverse("cases:detail", args=[world.case.pk]))
    html = page.content.decode()
    assert _url(world.case, "ledger", "xlsx") in html
    assert reverse("printing:archive", args=[world.case.pk, "application"]) in html
    page = _get(client, world.applicant, reverse("cases:detail", args=[world.case.pk]))
    html = page.content.decode()
    assert _url(world.case, "application", "docx") in html
    assert _url(world.case, "ledger", "pdf") not in html
    assert "data-archive-form" not in html
