"""factory_boy factories shared by every app's tests, with traits for states."""

import datetime
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from bangban.accounts.models import Agency, Department, DepartmentKind, Membership, Role, User
from bangban.cases.models import Case, CaseItem, ServiceMode, ServiceScope
from bangban.cases.workflow import CaseState, ItemState
from bangban.catalog.models import Matter, Stage
from bangban.companies.credit_code import check_character
from bangban.companies.models import Company, CompanyContact
from bangban.projects.models import Category, InvestmentType, Project

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name="material.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def valid_credit_code(n):
    first17 = f"91371602{n:09d}"
    return first17 + check_character(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    phone = factory.Sequence(lambda n: f"1380000{n:04d}")
    password = factory.django.Password("pass-1234-word")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"第{n}政务服务中心")
    code = factory.Sequence(lambda n: f"agency{n}")
    level = Agency.Level.CITY


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"审批局{n}")
    kind = DepartmentKind.HOUSING_CONSTRUCTION


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.SPECIALIST


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"滨州第{n}建设有限公司")
    credit_code = factory.Sequence(valid_credit_code)
    legal_representative = "张三"


class CompanyContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyContact

    company = factory.SubFactory(CompanyFactory)
    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"经办人{n}")
    phone = factory.Sequence(lambda n: f"1390000{n:04d}")
    is_representative = True


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    company = factory.SubFactory(CompanyFactory)
    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"智能制造产业园{n}期")
    category = Category.GENERAL_INDUSTRIAL
    investment_type = InvestmentType.SOCIAL
    location = "滨州市滨城区黄河五路"
    total_investment = Decimal("12000.00")
    floor_area = Decimal("45000.00")
    description = "新建标准化厂房及配套设施"


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage
        django_get_or_create = ("code",)

    code = 3
    name = "施工许可"


class MatterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Matter

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"测试事项{n}")
    stage = factory.SubFactory(StageFactory)
    department_kind = DepartmentKind.HOUSING_CONSTRUCTION
    department_note = "住建"
    legal_limit = 20
    promised_limit = 5


class CaseFactory(factory.django.DjangoModelFactory):
    """A case in any state: `CaseFactory(in_progress=True)`; the specialist is set from accepted on."""

    class Meta:
        model = Case

    class Params:
        submitted = factory.Trait(state=CaseState.SUBMITTED)
        accepted = factory.Trait(
            state=CaseState.ACCEPTED, specialist=factory.SubFactory(UserFactory)
        )
        planned = factory.Trait(
            state=CaseState.PLANNED, specialist=factory.SubFactory(UserFactory)
        )
        in_progress = factory.Trait(
            state=CaseState.IN_PROGRESS, specialist=factory.SubFactory(UserFactory)
        )
        suspended = factory.Trait(
            state=CaseState.SUSPENDED, suspended_from_state=CaseState.IN_PROGRESS,
            specialist=factory.SubFactory(UserFactory),
        )

    number = factory.Sequence(lambda n: f"BB2026{n:06d}")
    agency = factory.SubFactory(AgencyFactory)
    project = factory.SubFactory(ProjectFactory, agency=factory.SelfAttribute("..agency"))
    company_contact = factory.SubFactory(
        CompanyContactFactory, company=factory.SelfAttribute("..project.company")
    )
    created_by = factory.SelfAttribute("company_contact.user")
    mode = ServiceMode.ASSIST
    scope = ServiceScope.FULL
    project_summary = "新建厂房三栋，总建筑面积4.5万平方米"
    target_completion_date = datetime.date(2027, 6, 30)


class CaseItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseItem

    case = factory.SubFactory(CaseFactory, in_progress=True)
    matter = factory.SubFactory(MatterFactory)
    department = factory.SubFactory(
        DepartmentFactory, agency=factory.SelfAttribute("..case.agency")
    )
    state = ItemState.PLANNED
    promised_limit = 5
