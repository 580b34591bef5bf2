"""The demo agency built by `python manage.py demo_data`.

What it contains is data, in `demo_data/binzhou.toml`: the Binzhou service centre and two
district centres, their departments and staff, companies, projects, and for most projects the
story of its case. This module turns that file into rows:

- Reference rows (agencies, departments, users, memberships, companies, contacts, projects) are
  created directly, each checked with `full_clean()`. What already exists (by natural key) is
  left alone, so a second run changes nothing.
- Every case and item state is reached through `bangban.cases.services`, so the ledger,
  documents and notifications are exactly what the services write for real users.
- A simulated clock stands in for `django.utils.timezone.now` while a case's story is played:
  a case applied for 95 days ago has its ledger spread over those 95 days, in office hours on
  PRC working days, instead of everything happening in the second the command ran. Deadlines
  and warning levels then look as they would in a service centre that has been working for
  months (some items are overdue).
- Each case's story runs in one transaction: a story that fails leaves no half-built case, and
  SQLite commits once per case instead of once per action. The services' notifications are
  written when that transaction commits, so they carry the time of the story's last action.

Random choices (names, phone numbers, codes, timings) come from generators seeded with a fixed
string and each object's natural key, so the demo is the same on every run; only its dates
move with the day the command runs.
"""

import datetime
import random
import tomllib
import zoneinfo
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone, translation

from bangban.accounts.models import Agency, Department, Membership, Role, User
from bangban.cases import services
from bangban.cases.models import (
    CaseItem,
    ClockPause,
    PauseCause,
    ServiceMode,
    ServiceScope,
    SpecialProcedureKind,
)
from bangban.cases.workflow import FINISHED_ITEM_STATES, CaseState, ItemState
from bangban.catalog.models import Matter, Stage
from bangban.companies.credit_code import ALPHABET, check_character
from bangban.companies.models import Company, CompanyContact
from bangban.consultations.demo import play_consultations
from bangban.deadlines.item_clock import extension_allowance
from bangban.deadlines.jobs import rescan_items, running_items
from bangban.deadlines.models import WarningLevel
from bangban.deadlines.workdays import add_working_days, is_working_day
from bangban.evaluations.demo import play_evaluations
from bangban.meetings.demo import play_meetings
from bangban.notifications.services import in_app_only
from bangban.policies.demo import play_policies
from bangban.portal.demo import play_portal
from bangban.problems.demo import play_problems
from bangban.projects.demo import play_key_projects
from bangban.projects.models import InvestmentType, Project
from bangban.public.demo import play_public
from bangban.supervision.demo import play_supervision
from bangban.visits.demo import play_visits

DATA_FILE = Path(__file__).resolve().parent / "demo_data" / "binzhou.toml"
PASSWORD = "bangban-demo-2026"
SEED = "bangban-demo-2026"
# The accounts a visitor is told about first, one per role.
MAIN_ACCOUNTS = ("company", "chief", "specialist", "department", "supervisor", "admin")


class DemoDataError(Exception):
    """The data file and the catalog or the services disagree; nothing sensible can be built."""


# --------------------------------------------------------------------------- clock

WORK_START = datetime.time(8, 30)
WORK_END = datetime.time(17, 30)
ONE_DAY = datetime.timedelta(days=1)


def _previous_working_day(day):
    day -= ONE_DAY
    while not is_working_day(day):
        day -= ONE_DAY
    return day


def _next_working_day(day):
    day += ONE_DAY
    while not is_working_day(day):
        day += ONE_DAY
    return day


class DemoClock:
    """Stands in for `django.utils.timezone.now` while the demo's stories are played.

    Times are kept as naive local times in office hours; `now()` returns them as aware UTC like
    Django's own function. While no story is being played, the real time is returned.
    """

    def __init__(self):
        self._real_now = timezone.now
        self.tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.at = None
        self.end = None
        self.step = 0.0

    @contextmanager
    def installed(self):
        timezone.now = self.now
        try:
            yield self
        finally:
            timezone.now = self._real_now
            self.at = None

    def now(self):
        if self.at is None:
            return self._real_now()
        return self.at.replace(tzinfo=self.tz).astimezone(datetime.UTC)

    def real_local(self):
        return self._real_now().astimezone(self.tz).replace(tzinfo=None)

    def latest(self):
        """The last office-hours moment before (half an hour before) the real now."""
        moment = self.real_local() - datetime.timedelta(minutes=30)
        day = moment.date()
        if is_working_day(day) and moment.time() >= WORK_START:
            return min(moment, datetime.datetime.combine(day, WORK_END))
        return datetime.datetime.combine(_previous_working_day(day), WORK_END)

    def morning(self, days_ago, rng):
        """Some time in the morning of the first working day `days_ago` days before today."""
        day = self.real_local().date() - datetime.timedelta(days=days_ago)
        if not is_working_day(day):
            day = _next_working_day(day)
        moment = datetime.datetime.combine(day, WORK_START)
        return min(moment + datetime.timedelta(minutes=rng.randint(5, 150)), self.latest())

    def set(self, moment):
        self.at = moment
        self.end = None

    def play(self, start, end, steps):
        """Start a story at `start` that should take about `steps` ticks to reach `end`."""
        self.at = start
        self.end = max(start, min(end, self.latest()))
        self.step = self._working_minutes(start, self.end) / max(steps, 1)

    def stop(self):
        self.at = None
        self.end = None

    def tick(self, rng, factor=1.0):
        self.advance(self.step * factor * rng.uniform(0.4, 1.6))

    def advance(self, minutes):
        moment = self.at
        while minutes > 0:
            closing = datetime.datetime.combine(moment.date(), WORK_END)
            room = (closing - moment).total_seconds() / 60
            if minutes <= room:
                moment += datetime.timedelta(minutes=minutes)
                break
            minutes -= max(room, 0)
            moment = datetime.datetime.combine(_next_working_day(moment.date()), WORK_START)
        if self.end is not None:
            moment = min(moment, self.end)
        self.at = max(moment, self.at)

    @staticmethod
    def _working_minutes(start, end):
        total, moment = 0.0, start
        while moment.date() < end.date():
            closing = datetime.datetime.combine(moment.date(), WORK_END)
            total += max((closing - moment).total_seconds() / 60, 0)
            moment = datetime.datetime.combine(_next_working_day(moment.date()), WORK_START)
        return total + max((end - moment).total_seconds() / 60, 0)

    def localdate(self):
        return (self.at or self.real_local()).date()


# --------------------------------------------------------------------------- files


def demo_pdf(lines):
    """A small, valid one-page PDF showing `lines` (Chinese through the standard STSong-Light)."""
    text = ["BT", "/F1 14 Tf", "20 TL", "72 770 Td"]
    for line in lines:
        text.append(f"<{line.encode('utf-16-be').hex().upper()}> Tj T*")
    text.append("ET")
    stream = "\n".join(text).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
         b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        (b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
         b"/DescendantFonts [6 0 R] >>"),
        (b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
         b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
         b"/FontDescriptor 7 0 R /DW 1000 >>"),
        (b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
         b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
         b"/CapHeight 880 /StemV 93 >>"),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def pdf_upload(name, lines):
    return SimpleUploadedFile(name, demo_pdf(lines), content_type="application/pdf")


# --------------------------------------------------------------------------- generated values

SURNAMES = "王王王张张张李李李刘刘陈杨赵孙高马徐郭韩宋吴周崔田董范魏邢薄曹于冯胡朱许郑姜孟岳丁"
GIVEN_NAMES = [
    "建国", "立新", "海燕", "晓丽", "志刚", "俊杰", "文静", "红梅", "永强", "丽娜", "浩然", "雪梅",
    "国庆", "玉兰", "春华", "明辉", "振东", "秀英", "建华", "晓东", "凤霞", "德胜", "云飞", "佳琪",
    "新民", "金凤", "书文", "海涛", "庆丰", "晓燕", "磊", "敏", "静", "伟", "洋", "婷", "鹏", "军",
    "燕", "超", "勇", "娟",
]
CONTACT_POSITIONS = ("项目经理", "前期部经理", "工程部经理", "报建专员", "行政主管", "副总经理")
MOBILE_PREFIXES = ("133", "135", "137", "138", "139", "150", "151", "155", "158", "177", "180",
                   "182", "185", "186", "187", "189", "199")
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
NEEDS_PUSH = frozenset({ItemState.PUSHED, ItemState.ACCEPTED, ItemState.SUPPLEMENT_REQUESTED,
                        ItemState.APPROVED, ItemState.REFUSED})


def _rng(*key):
    return random.Random(":".join([SEED, *map(str, key)]))


def chinese_name(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def mobile(rng):
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def landline(rng):
    return f"0543-{rng.choice('35678')}{rng.randrange(10**6):06d}"


def credit_code(rng, kind, division):
    """A unified social credit code whose organisation-code part (GB 11714) and check character
    (GB 32100) are both right: kind "91" is an enterprise, "12" a public institution."""
    if kind == "91":
        body = "MA3" + "".join(rng.choice(ALPHABET) for _ in range(5))
    else:
        body = "4" + "".join(rng.choice("0123456789") for _ in range(7))
    remainder = 11 - sum(int(c, 36) * w for c, w in zip(body, ORG_CODE_WEIGHTS)) % 11
    org_check = {10: "X", 11: "0"}.get(remainder, str(remainder))
    first17 = f"{kind}{division}{body}{org_check}"
    return first17 + check_character(first17)


# --------------------------------------------------------------------------- result


@dataclass
class Account:
    username: str
    full_name: str
    role: str
    where: str


@dataclass
class DemoResult:
    created: Counter = field(default_factory=Counter)
    main_accounts: list = field(default_factory=list)
    other_accounts: list = field(default_factory=list)
    company_accounts: list = field(default_factory=list)

    @property
    def already_present(self):
        return not any(self.created.values())


def load_data(path=DATA_FILE):
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def build_demo(*, path=DATA_FILE, log=None):
    """Builds whatever of the demo is missing and returns what was created and the accounts."""
    return DemoBuilder(load_data(path), log=log or (lambda message: None)).build()


# --------------------------------------------------------------------------- builder


class DemoBuilder:
    def __init__(self, data, log):
        self.data = data
        self.log = log
        self.created = Counter()
        self.clock = DemoClock()
        self._password = None
        self.agencies = {}
        self.divisions = {}
        self.department_reps = {}
        self.texts = data.get("texts", {})

    # ----------------------------------------------------------------------- entry

    def build(self):
        with (translation.override(settings.LANGUAGE_CODE), self.clock.installed(),
              in_app_only()):
            with transaction.atomic():
                self._agencies()
                self._departments()
                self._staff()
                companies = self._companies()
                projects = self._projects(companies)
            self.clock.stop()
            self._cases(projects)
            self._clock_actions()
            play_supervision(self)
            self._warning_lights()
            play_policies(self)
            play_public(self)
            play_problems(self)
            play_meetings(self)
            play_portal(self)
            play_evaluations(self)
            play_consultations(self)
            play_visits(self)
            play_key_projects(self)
            return DemoResult(created=self.created, **self._accounts())

    @property
    def password(self):
        # One hash for every demo account: hashing is deliberately slow.
        if self._password is None:
            self._password = make_password(PASSWORD)
        return self._password

    # ----------------------------------------------------------------------- reference data

    def _agencies(self):
        rng = _rng("setup")
        self.clock.set(self.clock.morning(330, rng))
        for entry in self.data["agencies"]:
            agency = Agency.objects.filter(code=entry["code"]).first()
            if agency is None:
                agency = Agency(
                    code=entry["code"], name=entry["name"], level=entry["level"],
                    parent=self.agencies[entry["parent"]] if entry.get("parent") else None,
                    address=entry.get("address", ""), phone=entry.get("phone", ""),
                )
                agency.full_clean()
                agency.save()
                self.created["agencies"] += 1
            self.agencies[entry["code"]] = agency
            self.divisions[agency.pk] = entry["division"]

    def _user(self, username, full_name, *, superuser=False):
        user = User.objects.filter(username=username).first()
        if user is not None:
            return user
        user = User(
            username=username, full_name=full_name, phone=mobile(_rng("user", username)),
            password=self.password, is_staff=superuser, is_superuser=superuser,
            date_joined=self.clock.now(),
        )
        user.full_clean()
        user.save()
        self.created["users"] += 1
        return user

    def _membership(self, user, agency, role, *, department=None, staff_number="", title=""):
        existing = Membership.objects.filter(
            user=user, agency=agency, role=role, department=department
        ).first()
        if existing is not None:
            return existing
        membership = Membership(user=user, agency=agency, role=role, department=department,
                                staff_number=staff_number, title=title)
        membership.full_clean()
        membership.save()
        self.created["memberships"] += 1
        return membership

    def _departments(self):
        for entry in self.data["departments"]:
            agency = self.agencies[entry["agency"]]
            department = Department.objects.filter(agency=agency, name=entry["name"]).first()
            if department is None:
                department = Department(
                    agency=agency, name=entry["name"], kind=entry["kind"],
                    phone=entry.get("phone") or landline(_rng("department", entry["name"])),
                )
                department.full_clean()
                department.save()
                self.created["departments"] += 1
            rep = entry["representative"]
            user = self._user(rep["username"], rep["full_name"])
            self._membership(user, agency, Role.DEPARTMENT_REPRESENTATIVE, department=department,
                             title=rep.get("title", "首席事务代表"))
            self.department_reps.setdefault(department.pk, user)

    def _staff(self):
        for entry in self.data["staff"]:
            user = self._user(entry["username"], entry["full_name"],
                              superuser=entry.get("superuser", False))
            self._membership(user, self.agencies[entry["agency"]], entry["role"],
                             staff_number=entry.get("staff_number", ""),
                             title=entry.get("title", ""))

    def _companies(self):
        companies = {}
        for number, entry in enumerate(self.data["companies"], 1):
            rng = _rng("company", entry["key"])
            code = credit_code(rng, entry.get("type", "91"), entry["division"])
            company = Company.objects.filter(credit_code=code).first()
            if company is None:
                self.clock.set(self.clock.morning(rng.randint(220, 300), rng))
                company = Company(
                    name=entry["name"], credit_code=code, legal_representative=chinese_name(rng),
                    address=entry.get("address", ""), phone=landline(rng),
                )
                company.full_clean()
                company.save()
                self.created["companies"] += 1
            contacts = entry.get("contacts", 1)
            if isinstance(contacts, int):
                # A generator of its own, so the names are the same whether or not the
                # company was created on this run.
                names = _rng("contacts", entry["key"])
                contacts = [
                    {"name": chinese_name(names), "position": names.choice(CONTACT_POSITIONS),
                     "representative": index == 0}
                    for index in range(contacts)
                ]
            for index, contact in enumerate(contacts):
                user = None
                if contact.get("representative"):
                    username = entry.get("user") or f"qiye{number:02d}"
                    user = self._user(username, contact["name"])
                if CompanyContact.objects.filter(company=company, name=contact["name"]).exists():
                    continue
                row = CompanyContact(
                    company=company, user=user, name=contact["name"],
                    phone=user.phone if user else mobile(_rng("contact", code, index)),
                    position=contact.get("position", ""),
                    is_representative=bool(contact.get("representative")),
                )
                row.full_clean()
                row.save()
                self.created["company contacts"] += 1
            companies[entry["key"]] = company
        return companies

    def _project_code(self, rng, entry, agency, year):
        kind = "01" if entry["investment"] == InvestmentType.GOVERNMENT else "03"
        serial = rng.randint(1000, 60000)
        while True:
            code = f"{year}-{self.divisions[agency.pk]}-{entry['industry']}-{kind}-{serial:06d}"
            if not Project.objects.filter(code=code).exists():
                return code
            serial += 1

    def _projects(self, companies):
        projects = []
        for entry in self.data["projects"]:
            project = Project.objects.filter(name=entry["name"]).first()
            if project is None:
                rng = _rng("project", entry["name"])
                case = entry.get("case")
                days_ago = case["days_ago"] + rng.randint(3, 20) if case else rng.randint(2, 60)
                self.clock.set(self.clock.morning(days_ago, rng))
                agency = self.agencies[entry["agency"]]
                code = None
                if entry.get("code", True):
                    code = self._project_code(rng, entry, agency, self.clock.localdate().year)
                project = Project(
                    company=companies[entry["company"]], agency=agency, name=entry["name"],
                    code=code, category=entry["category"], investment_type=entry["investment"],
                    is_key_project=entry.get("key_project", False), location=entry["location"],
                    total_investment=Decimal(str(entry["total_investment"])),
                    floor_area=(Decimal(str(entry["floor_area"])) if entry.get("floor_area")
                                else None),
                    description=entry["description"],
                )
                project.full_clean()
                project.save()
                self.created["projects"] += 1
            projects.append((project, entry.get("case")))
        return projects

    # ----------------------------------------------------------------------- cases

    def _cases(self, projects):
        stories = [(p, spec) for p, spec in projects if spec is not None]
        # Oldest story first, so case numbers grow with the date of application.
        stories.sort(key=lambda story: -story[1]["days_ago"])
        todo = [(p, spec) for p, spec in stories if not p.cases.exists()]
        if todo:
            self.log(f"Playing {len(todo)} case stories through the case services …")
        for project, spec in todo:
            CaseStory(self, project, spec).play()
            self.created["cases"] += 1

    def _clock_actions(self):
        """One item's time limit extended and one in a special procedure, through the services
        at the latest office-hours moment."""
        running = (CaseItem.objects.filter(state=ItemState.ACCEPTED,
                                           case__state=CaseState.IN_PROGRESS)
                   .select_related("case__agency", "matter", "department__agency")
                   .order_by("-accepted_at", "pk"))
        if not running.filter(extended_days=0).exists() or ClockPause.objects.filter(
                cause=PauseCause.SPECIAL_PROCEDURE).exists():
            return  # a second run: done already
        self.clock.set(self.clock.latest())
        try:
            with transaction.atomic():
                extendable = next((i for i in running if extension_allowance(i).days >= 5), None)
                if extendable is not None:
                    services.extend_item(
                        item=extendable, by=self.department_rep(extendable.department_id),
                        days=min(extension_allowance(extendable).days, 10),
                        reason="项目涉及多部门意见征询，经本机关负责人批准延长审批期限。")
                procedure = next((i for i in running if extendable is None
                                  or i.pk != extendable.pk), None)
                if procedure is not None:
                    services.start_special_procedure(
                        item=procedure, by=self.department_rep(procedure.department_id),
                        kind=SpecialProcedureKind.EXPERT_REVIEW,
                        reason="方案涉及重大技术问题，需组织专家评审，评审时间不计入审批时限。")
        finally:
            self.clock.stop()

    def _warning_lights(self):
        """Every running clock read on today's date, as the worker's scan would (the lights
        come out green, yellow and red; each change is in the ledger and notified) — except
        the items of the supervision scenarios, whose due date the supervision demo moved
        into the past: they stay red and out of the scan's way."""
        supervised = CaseItem.objects.filter(supervision_notices__isnull=False,
                                             state=ItemState.ACCEPTED)
        supervised.filter(due_date__lt=self.clock.real_local().date()).update(
            warning_level=WarningLevel.RED, warning_next_check=None)
        today = self.clock.real_local().date()
        changed = rescan_items(
            running_items().exclude(pk__in=supervised.values("pk")).order_by("pk"), today=today)
        self.log(f"Warning lights read on {today}: {changed} changed.")

    def chief_for(self, agency):
        while agency is not None:
            membership = (Membership.objects.filter(agency=agency, role=Role.CHIEF_SPECIALIST)
                          .select_related("user").order_by("pk").first())
            if membership is not None:
                return membership.user
            agency = agency.parent
        raise DemoDataError("No chief specialist at the agency or above it.")

    def department_rep(self, department_id):
        user = self.department_reps.get(department_id)
        if user is None:
            membership = (Membership.objects
                          .filter(role=Role.DEPARTMENT_REPRESENTATIVE, department_id=department_id)
                          .select_related("user").order_by("pk").first())
            if membership is None:
                raise DemoDataError(f"Department {department_id} has no representative.")
            user = self.department_reps[department_id] = membership.user
        return user

    def result_number(self, item, rng):
        case = item.case
        template = self.data.get("result_numbers", {}).get(item.matter.code, "{code}")
        year, serial = self.clock.localdate().year, f"{rng.randint(1, 999):03d}"
        number = template.format(year=year, n=serial, code=case.project.code or "",
                                 div=self.divisions.get(case.agency_id, "371600"))
        return number or f"{item.department.name}〔{year}〕{serial}号"

    # ----------------------------------------------------------------------- accounts

    def _accounts(self):
        usernames = [e["username"] for e in self.data["staff"]]
        usernames += [e["representative"]["username"] for e in self.data["departments"]]
        users = User.objects.in_bulk(usernames, field_name="username")
        memberships = {}
        for membership in Membership.objects.filter(user__in=users.values()).select_related(
            "agency", "department", "user"
        ).order_by("pk"):
            memberships.setdefault(membership.user.username, membership)
        company_of = {
            contact.user.username: contact
            for contact in CompanyContact.objects.filter(user__isnull=False)
            .select_related("user", "company")
        }
        main, other, company_accounts = [], [], []
        for username in MAIN_ACCOUNTS:
            if username in company_of:
                contact = company_of[username]
                main.append(Account(username, contact.name, str(Role.APPLICANT.label),
                                    contact.company.name))
            elif username in memberships:
                main.append(self._account(memberships[username]))
        for username in usernames:
            if username not in MAIN_ACCOUNTS and username in memberships:
                other.append(self._account(memberships[username]))
        for username, contact in sorted(company_of.items()):
            if username not in MAIN_ACCOUNTS:
                company_accounts.append(Account(username, contact.name,
                                                str(Role.APPLICANT.label), contact.company.name))
        return {"main_accounts": main, "other_accounts": other,
                "company_accounts": company_accounts}

    @staticmethod
    def _account(membership):
        where = membership.department.name if membership.department else membership.agency.name
        role = str(Role(membership.role).label)
        if membership.user.is_superuser:
            role += " (superuser)"
        return Account(membership.user.username, membership.user.full_name, role, where)


class CaseStory:
    """Plays one case's story from the data file through the case services."""

    def __init__(self, builder, project, spec):
        self.b = builder
        self.clock = builder.clock
        self.project = project
        self.spec = spec
        self.rng = _rng("case", project.name)
        self.state = spec["state"]
        self.agent = spec.get("mode", "assist") == ServiceMode.AGENT
        self.stop_at = spec.get("from", CaseState.IN_PROGRESS)
        contacts = list(project.company.contacts.select_related("user"))
        self.contact = contacts[spec.get("contact", 0)]
        representative = next((c for c in contacts if c.is_representative and c.user), None)
        if representative is None:
            raise DemoDataError(f"{project.company} has no representative with an account.")
        self.representative = representative.user
        self.applicant = self.contact.user or self.representative
        self.chief = builder.chief_for(project.agency)
        reassign = spec.get("reassign")
        self.final_specialist = self._staff(spec.get("specialist"))
        self.specialist = self._staff(reassign["from"]) if reassign else self.final_specialist
        self.case = None
        self.items = {}

    def _staff(self, username):
        if username is None:
            return None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise DemoDataError(f"Unknown demo user {username!r}.")
        return user

    # ----------------------------------------------------------------------- timing

    def _estimated_ticks(self):
        spec, ticks = self.spec, 4
        if self.state in (CaseState.DRAFT, CaseState.SUBMITTED):
            return ticks
        ticks += 3
        approve = spec.get("approve", 0)
        if approve == "all":
            ticks += 7 * 8
        elif isinstance(approve, list):
            ticks += 8 * len(approve)
        else:
            ticks += 8 * approve
        ticks += 5 * (len(spec.get("set", {})) + len(spec.get("refuse", {}))
                      + len(spec.get("then", [])))
        ticks += len(spec.get("withdraw", {})) + 4
        return ticks

    def _timeline(self):
        start = self.clock.morning(self.spec["days_ago"], self.rng)
        if "ended_ago" in self.spec:
            end = self.clock.morning(self.spec["ended_ago"], self.rng)
            end += datetime.timedelta(hours=self.rng.randint(1, 6))
        elif self.state in (CaseState.DRAFT, CaseState.SUBMITTED, CaseState.REJECTED):
            end = start + datetime.timedelta(days=min(self.spec["days_ago"], 2))
        else:
            end = self.clock.latest() - datetime.timedelta(hours=self.rng.randint(0, 20))
        return start, end

    def tick(self, factor=1.0):
        self.clock.tick(self.rng, factor)

    # ----------------------------------------------------------------------- story

    def play(self):
        start, end = self._timeline()
        self.clock.play(start, end, self._estimated_ticks())
        try:
            with transaction.atomic():
                self._play()
        finally:
            self.clock.stop()

    def _play(self):
        spec, project = self.spec, self.project
        stages = list(Stage.objects.filter(code__in=spec.get("stages", [])))
        matters = list(Matter.objects.filter(code__in=spec.get("matters", []), is_active=True))
        if len(stages) != len(spec.get("stages", [])) or len(matters) != len(
                spec.get("matters", [])):
            raise DemoDataError(f"{project}: a stage or matter of the story is not in the catalog.")
        note = "、".join(m.name for m in matters) or "、".join(s.name for s in stages)
        self.case = services.create_application(
            by=self.applicant, project=project, company_contact=self.contact,
            mode=spec.get("mode", ServiceMode.ASSIST), scope=spec.get("scope", ServiceScope.FULL),
            project_summary=project.description,
            requested_items_note=(f"申请办理：{note}" if note else "申请全流程帮办代办服务"),
            requested_stages=stages, requested_matters=matters,
        )
        if self.state == CaseState.DRAFT:
            return
        self.tick(0.5)
        self.case = services.submit_application(case=self.case, by=self.applicant)
        if self.state == CaseState.SUBMITTED:
            return
        self.tick(2)
        if self.state == CaseState.REJECTED:
            services.reject_application(case=self.case, by=self.chief, reason=spec["rejection"])
            return
        self.case = services.accept_application(
            case=self.case, by=self.chief, specialist=self.specialist,
            handler_opinion=self.rng.choice(self.b.texts["handler_opinions"]),
            leader_instruction=self.rng.choice(self.b.texts["leader_instructions"]),
        )
        if self.agent:
            self.tick()
            self._record_agreement()
        if self._stopped(CaseState.ACCEPTED):
            return
        self.tick(2)
        self.case = services.generate_plan(case=self.case, by=self.specialist)
        self.items = {i.matter.code: i.pk for i in self.case.items.select_related("matter")}
        self.tick()
        self._log_contact()
        if self._stopped(CaseState.PLANNED):
            return
        self.tick()
        self.case = services.publish_plan(case=self.case, by=self.specialist)
        if spec.get("resumed"):
            self._suspend_and_resume()
        if spec.get("reassign"):
            self.tick()
            self.case = services.reassign_specialist(
                case=self.case, by=self.chief, specialist=self.final_specialist,
                reason=spec["reassign"].get("reason") or self.b.texts["reassign_reason"],
            )
            self.specialist = self.final_specialist
        self._work_items()
        self.tick()
        self._log_contact(with_item=True)
        if self._stopped(CaseState.IN_PROGRESS):
            return
        if self.state == CaseState.COMPLETED:
            self._complete()

    def _stopped(self, here):
        """Ends the story here when the case stays in this state or stops (suspended,
        terminated) in it."""
        if self.state == here:
            return True
        if self.state in (CaseState.SUSPENDED, CaseState.TERMINATED) and self.stop_at == here:
            self.tick()
            if self.state == CaseState.SUSPENDED:
                services.suspend_case(case=self.case, by=self.specialist,
                                      reason=self.spec["reason"], note=self.spec["note"])
            else:
                services.terminate_case(case=self.case, by=self.chief,
                                        reason=self.spec["reason"], note=self.spec["note"])
            return True
        return False

    def _record_agreement(self):
        signed_on = self.clock.localdate()
        services.record_agreement(
            case=self.case, by=self.specialist, signed_on=signed_on,
            file=pdf_upload("daiban-xieyi.pdf", [
                "工程建设项目代办委托协议（演示）",
                f"案件编号：{self.case.number}",
                f"项目名称：{self.project.name}",
                f"委托方：{self.project.company.name}",
                f"受托方：{self.project.agency.name}",
                f"代办员：{self.specialist.display_name}",
                f"签订日期：{signed_on:%Y-%m-%d}",
            ]),
        )

    def _log_contact(self, with_item=False):
        item = None
        if with_item and self.items:
            item = CaseItem.objects.get(pk=self.rng.choice(sorted(self.items.values())))
        services.log_contact(case=self.case, by=self.specialist, item=item,
                             note=self.rng.choice(self.b.texts["contact_notes"]))

    def _suspend_and_resume(self):
        texts = self.b.texts["suspend_resume"]
        self.tick()
        services.suspend_case(case=self.case, by=self.specialist, reason="company_request",
                              note=texts["note"])
        self.clock.advance(60 * 8 * 8)
        self.case = services.resume_case(case=self.case, by=self.specialist,
                                         note=texts["resume"])

    def _complete(self):
        self.tick()
        method = self.spec.get("handover", "mail")
        tracking = f"11{self.rng.randrange(10**11):011d}" if method == "mail" else ""
        services.record_handover(case=self.case, by=self.specialist, method=method,
                                 tracking_number=tracking)
        self.tick(2)
        services.confirm_completion(case=self.case, by=self.representative)

    # ----------------------------------------------------------------------- items

    def _item(self, pk):
        return CaseItem.objects.select_related(
            "case__project__company", "case__agency", "matter__stage", "department"
        ).get(pk=pk)

    def _pk(self, code):
        if code not in self.items:
            raise DemoDataError(f"{self.project}: matter {code} is not in the case's plan.")
        return self.items[code]

    def _work_items(self):
        spec = self.spec
        reserved = set(spec.get("withdraw", {})) | set(spec.get("set", {})) | set(
            spec.get("refuse", {}))
        for code, reason in spec.get("withdraw", {}).items():
            self.tick(0.5)
            services.withdraw_item(item=self._item(self._pk(code)), by=self.specialist,
                                   reason=reason)
        approve = spec.get("approve", 0)
        if approve == "all":
            self._finish_all(reserved)
        elif isinstance(approve, list):
            for code in approve:
                self.drive(self._pk(code), ItemState.APPROVED)
        else:
            for _ in range(approve):
                self._drive_next(ItemState.APPROVED, reserved)
        for code, target in spec.get("set", {}).items():
            self.drive(self._pk(code), ItemState(target))
        for code, reason in spec.get("refuse", {}).items():
            self.drive(self._pk(code), ItemState.REFUSED, reason=reason)
        for target in spec.get("then", []):
            self._drive_next(ItemState(target), reserved)

    def _candidates(self, target, reserved):
        items = (self.case.items.filter(state=ItemState.PLANNED)
                 .select_related("matter__stage").prefetch_related("prerequisites"))
        found = []
        for item in items:
            if item.matter.code in reserved:
                continue
            if target in NEEDS_PUSH and any(
                    p.state != ItemState.APPROVED for p in item.prerequisites.all()):
                continue
            found.append(item)
        return sorted(found, key=lambda i: (i.matter.stage.code, i.position, i.pk))

    def _drive_next(self, target, reserved):
        candidates = self._candidates(target, reserved)
        if not candidates:
            self.b.log(f"  note: {self.project}: no item could be brought to {target}.")
            return
        self.drive(candidates[0].pk, target)

    def _finish_all(self, reserved):
        """For a completed case: every remaining item approved, in route order."""
        while True:
            open_items = [i for i in self.case.items.exclude(state__in=FINISHED_ITEM_STATES)
                          .select_related("matter__stage").prefetch_related("prerequisites")]
            if not open_items:
                return
            open_items.sort(key=lambda i: (i.matter.stage.code, i.position, i.pk))
            item = open_items[0]
            blocked = [p for p in item.prerequisites.all()
                       if p.state in FINISHED_ITEM_STATES and p.state != ItemState.APPROVED]
            if blocked:
                services.withdraw_item(item=self._item(item.pk), by=self.specialist,
                                       reason="前置事项不再办理，本项随之撤回。")
            else:
                self.drive(item.pk, ItemState.APPROVED)

    def _uploader(self):
        # 代办: the specialist prepares the materials; 帮办: the company does, guided.
        return self.specialist if self.agent else self.applicant

    def _upload_materials(self, item):
        titles = list(item.materials[:2]) or [item.matter.name]
        for title in titles:
            services.upload_item_material(
                item=item, by=self._uploader(), title=title,
                file=pdf_upload("cailiao.pdf", [
                    title, f"项目：{self.project.name}", f"单位：{self.project.company.name}",
                    f"事项：{item.matter.name}", "（演示材料）",
                ]),
            )
        self.tick(0.5)

    def drive(self, pk, target, reason=""):
        """Moves one item to `target` through the item services, prerequisites first."""
        item = self._item(pk)
        if item.state == target:
            return
        if item.state in FINISHED_ITEM_STATES:
            raise DemoDataError(f"{self.project}: {item} is already {item.state}.")
        if target in NEEDS_PUSH:
            for prerequisite in item.prerequisites.all():
                if prerequisite.state != ItemState.APPROVED:
                    self.drive(prerequisite.pk, ItemState.APPROVED)
        if target == ItemState.WITHDRAWN:
            services.withdraw_item(item=item, by=self.specialist, reason=reason or "不再办理")
            return
        rep = self.b.department_rep(item.department_id)
        while item.state != target:
            # Each service returns the item it changed, locked and with its case attached.
            state = item.state
            if state == ItemState.PLANNED:
                item = services.start_preparing(item=item, by=self.specialist)
                if target == ItemState.PREPARING and self.rng.random() < 0.5:
                    self._upload_materials(item)
            elif state == ItemState.PREPARING:
                self._upload_materials(item)
                item = services.pass_review(item=item, by=self.specialist,
                                            note="材料齐全，符合法定形式。")
            elif state == ItemState.REVIEWED:
                item = services.push_item(item=item, by=self.specialist)
            elif state == ItemState.PUSHED:
                if target == ItemState.REFUSED and self.rng.random() < 0.3:
                    item = services.refuse_item(item=item, by=rep, reason=reason)
                else:
                    item = services.accept_item(item=item, by=rep)
            elif state == ItemState.ACCEPTED:
                item = self._decide(item, target, rep, reason)
            elif state == ItemState.SUPPLEMENT_REQUESTED:
                item = services.supply_supplement(
                    item=item, by=self._uploader(),
                    answer=self.rng.choice(self.b.texts["supplement_answers"]),
                    files=[pdf_upload("buzheng.pdf", [
                        "补正材料（演示）", f"项目：{self.project.name}",
                        f"事项：{item.matter.name}"])],
                )
            else:
                raise DemoDataError(f"{self.project}: cannot move {item} from {state}.")
            self.tick(2 if item.state in (ItemState.ACCEPTED, ItemState.SUPPLEMENT_REQUESTED)
                      else 1)

    def _decide(self, item, target, rep, reason):
        if target == ItemState.SUPPLEMENT_REQUESTED or (
            target == ItemState.APPROVED and self.rng.random() < 0.2
            and not item.supplement_requests.exists()
        ):
            services.request_supplement(
                item=item, by=rep, reason=self.rng.choice(self.b.texts["supplement_reasons"]),
                due_date=add_working_days(self.clock.localdate(), 5),
            )
            return self._item(item.pk)
        if target == ItemState.REFUSED:
            return services.refuse_item(item=item, by=rep, reason=reason)
        number = self.b.result_number(item, self.rng)
        return services.approve_item(
            item=item, by=rep, result_number=number,
            result_file=pdf_upload("pifu.pdf", [
                item.matter.name, f"文号：{number}", f"项目：{self.project.name}",
                f"建设单位：{self.project.company.name}", f"审批部门：{item.department.name}",
                f"日期：{self.clock.localdate():%Y年%m月%d日}", "（演示文件）",
            ]),
        )
