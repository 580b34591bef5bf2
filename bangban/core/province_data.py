"""A province-scale dataset for load tests and benchmarks, generated in bulk SQL.

At `scale=1`: a province with 16 cities of 8 counties (145 agencies), 10 departments per
county with two representatives each, 20 specialists and a chief per county, a supervisor per
city and `province-supervisor` (5,265 staff); 25,000 companies with two contact accounts each
(50,000 company users); 100,000 projects (one in fifty a key project) with one case each,
submitted over the last three years, 25 items per case (2,500,000) in every state with warning
lights, decisions, days used and due dates; one consultation per project, a problem for one
case in five, a rating for one decided item in ten, and a supervision notice for every
overdue item, as the supervision scan would have left them. Smaller scales shrink every count
(at least one of each).

The small tables are written with the ORM; the large ones are copied from one template row
per table with INSERT … SELECT over a series (`clone_sql`), the same SQL on PostgreSQL and
SQLite, so 2.5 M items take minutes, not hours. Every generated user has the same password
(`password=`), hashed once. `bench/dashboard.py` seeds its database with `generate`;
`manage.py generate_province_data` runs it on the configured database.
"""

import math

from django.db import connection, transaction
from django.utils import timezone

PROJECTS, COMPANIES, CONTACTS_PER_COMPANY = 100_000, 25_000, 2
CITIES, COUNTIES_PER_CITY = 16, 8
DEPARTMENTS_PER_COUNTY, REPRESENTATIVES_PER_DEPARTMENT = 10, 2
SPECIALISTS_PER_COUNTY, ITEMS_PER_CASE = 20, 25
SPREAD_DAYS = 3 * 365  # cases were submitted over the last three years
PROVINCE_CODE = "gen-province"
SUPERVISOR = "province-supervisor"
# Item states by a hash 0–99 of (case, item): the upper bound of each state's share.
ITEM_STATE_SHARES = (
    (45, "approved"), (48, "refused"), (50, "withdrawn"), (70, "accepted"),
    (75, "supplement_requested"), (82, "pushed"), (88, "reviewed"), (94, "preparing"),
    (100, "planned"),
)
# Case states by case number modulo 20.
CASE_STATE_SHARES = (
    (1, "submitted"), (2, "accepted"), (3, "planned"), (11, "in_progress"), (12, "suspended"),
    (13, "terminated"), (14, "rejected"), (20, "completed"),
)
LIGHTS = ("green",) * 6 + ("yellow",) * 2 + ("red",) * 2


def clone_sql(model, source_pk, overrides, series, where="TRUE"):
    """INSERT … SELECT copying row `source_pk` of `model` once per row of `series` (SQL
    yielding `n`) that matches `where`, with `overrides` {column: SQL expression}."""
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    values = [overrides.get(column, f't."{column}"') for column in columns]
    names = ", ".join(f'"{column}"' for column in columns)
    return (f'INSERT INTO "{model._meta.db_table}" ({names}) '
            f'SELECT {", ".join(values)} FROM "{model._meta.db_table}" AS t, {series} '
            f"WHERE t.id = {int(source_pk)} AND ({where})")


def outside_transaction_sql(statement):
    """Runs a statement that cannot run in a transaction (VACUUM) on the database in use."""
    connection.ensure_connection()
    if not connection.in_atomic_block:
        connection.connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(statement)


class Sizes:
    """Every count of the dataset at `scale` (1 = the province)."""

    def __init__(self, scale):
        def scaled(n):
            return max(1, round(n * scale))

        self.counties = scaled(CITIES * COUNTIES_PER_CITY)
        self.cities = math.ceil(self.counties / COUNTIES_PER_CITY)
        self.projects = scaled(PROJECTS)
        self.companies = min(scaled(COMPANIES), self.projects)
        self.items = self.projects * ITEMS_PER_CASE
        self.company_users = self.companies * CONTACTS_PER_COMPANY
        self.staff = (self.counties * (SPECIALISTS_PER_COUNTY + 1 + DEPARTMENTS_PER_COUNTY
                                       * REPRESENTATIVES_PER_DEPARTMENT) + self.cities + 1)


def already_generated():
    from bangban.accounts.models import Agency

    return Agency.objects.filter(code=PROVINCE_CODE).exists()


class _Sql:
    """The few expressions PostgreSQL and SQLite spell differently."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"

    def days_ago(self, days):
        if self.postgres:
            return f"now() - ({days}) * interval '1 day'"
        return f"datetime('now', '-' || ({days}) || ' days')"

    def plus_days(self, moment, days):
        if self.postgres:
            return f"{moment} + ({days}) * interval '1 day'"
        return f"datetime({moment}, '+' || ({days}) || ' days')"

    def as_date(self, moment):
        return f"({moment})::date" if self.postgres else f"date({moment})"

    @property
    def now(self):
        return "now()" if self.postgres else "datetime('now')"

    def local_date(self, days=0):
        """The site's local date (TIME_ZONE) `days` SQL from today, as a date: "today" in SQL
        would be the database server's day, which differs for hours each night."""
        today = f"'{timezone.localdate().isoformat()}'"
        if self.postgres:
            return f"(DATE {today} + CAST({days} AS integer))"
        return f"date({today}, '+' || ({days}) || ' days')"


def _choose(expression, values):
    whens = " ".join(f"WHEN {i} THEN '{value}'" for i, value in enumerate(values))
    return f"CASE {expression} {whens} END"


def _shares(column, shares):
    whens = " ".join(f"WHEN {column} < {bound} THEN '{state}'" for bound, state in shares)
    return f"CASE {whens} END"


def _series(cursor, table, first, last):
    cursor.execute(f"CREATE TEMP TABLE {table} (n integer PRIMARY KEY)")
    cursor.execute(f"INSERT INTO {table} WITH RECURSIVE s(n) AS (SELECT {first} UNION ALL "
                   f"SELECT n + 1 FROM s WHERE n < {last}) SELECT n FROM s")


def _map(cursor, kind, ids):
    """Rows (kind, idx, id) of `gen_map` so the SQL picks the idx-th object of a kind."""
    cursor.executemany("INSERT INTO gen_map VALUES (%s, %s, %s)",
                       [(kind, idx, pk) for idx, pk in enumerate(ids)])


def _structure(sizes, password):
    """Agencies, departments, staff, matters, companies and their contacts (ORM, bulk)."""
    from bangban.accounts.models import Agency, Department, DepartmentKind, Membership, Role, User
    from bangban.catalog.models import Matter, Stage
    from bangban.companies.credit_code import check_character
    from bangban.companies.models import Company, CompanyContact

    province = Agency.objects.create(name="省政务服务中心", code=PROVINCE_CODE,
                                     level=Agency.Level.PROVINCE)
    counties, cities = [], []
    for c in range(sizes.cities):
        city = Agency.objects.create(name=f"第{c}市", code=f"gen-city{c}", parent=province,
                                     level=Agency.Level.CITY)
        cities.append(city)
        for k in range(min(COUNTIES_PER_CITY, sizes.counties - len(counties))):
            counties.append(Agency.objects.create(
                name=f"第{c}市第{k}县", code=f"gen-county{c}-{k}", parent=city,
                level=Agency.Level.COUNTY))
    departments = Department.objects.bulk_create(
        Department(agency=county, name=f"审批局{d}", kind=DepartmentKind.OTHER)
        for county in counties for d in range(DEPARTMENTS_PER_COUNTY))

    def user(username, name):
        return User(username=username, full_name=name, password=password)

    specialists = User.objects.bulk_create(
        user(f"gen-s{i}-{s}", f"专员{i}-{s}")
        for i in range(len(counties)) for s in range(SPECIALISTS_PER_COUNTY))
    representatives = User.objects.bulk_create(
        user(f"gen-d{i}-{r}", f"首席事务代表{i}-{r}")
        for i in range(len(departments)) for r in range(REPRESENTATIVES_PER_DEPARTMENT))
    chiefs = User.objects.bulk_create(
        user(f"gen-chief{i}", f"首席专员{i}") for i in range(len(counties)))
    city_supervisors = User.objects.bulk_create(
        user(f"gen-sup{c}", f"监督{c}") for c in range(len(cities)))
    supervisor = User.objects.create(username=SUPERVISOR, full_name="省监督", password=password)
    Membership.objects.bulk_create([
        *(Membership(user=u, agency=counties[i // SPECIALISTS_PER_COUNTY], role=Role.SPECIALIST)
          for i, u in enumerate(specialists)),
        *(Membership(user=u, agency=departments[i // REPRESENTATIVES_PER_DEPARTMENT].agency,
                     department=departments[i // REPRESENTATIVES_PER_DEPARTMENT],
                     role=Role.DEPARTMENT_REPRESENTATIVE)
          for i, u in enumerate(representatives)),
        *(Membership(user=u, agency=counties[i], role=Role.CHIEF_SPECIALIST)
          for i, u in enumerate(chiefs)),
        *(Membership(user=u, agency=cities[i], role=Role.SUPERVISOR)
          for i, u in enumerate(city_supervisors)),
        Membership(user=supervisor, agency=province, role=Role.SUPERVISOR),
    ], batch_size=5000)

    stage, _ = Stage.objects.get_or_create(code=3, defaults={"name": "施工许可"})
    matters = Matter.objects.bulk_create(
        Matter(code=f"GEN{j:02d}", name=f"审批事项{j}", stage=stage,
               department_kind=DepartmentKind.OTHER, legal_limit=20 + 5 * (j % 3),
               promised_limit=10 + 5 * (j % 3))
        for j in range(ITEMS_PER_CASE))

    def credit_code(n):
        first17 = f"9237{n:013d}"
        return first17 + check_character(first17)

    companies = Company.objects.bulk_create(
        (Company(name=f"第{n}建设有限公司", credit_code=credit_code(n), legal_representative="张三")
         for n in range(sizes.companies)), batch_size=5000)
    company_users = User.objects.bulk_create(
        (user(f"gen-u{n}-{r}", f"经办人{n}-{r}")
         for n in range(sizes.companies) for r in range(CONTACTS_PER_COMPANY)), batch_size=5000)
    contacts = CompanyContact.objects.bulk_create(
        (CompanyContact(company=companies[i // CONTACTS_PER_COMPANY], user=u, name=u.full_name,
                        phone=f"139{i:08d}", is_representative=i % CONTACTS_PER_COMPANY == 0)
         for i, u in enumerate(company_users)), batch_size=5000)
    return {
        "province": province, "counties": counties, "departments": departments,
        "specialists": specialists, "supervisor": supervisor, "matters": matters,
        "companies": companies, "contacts": contacts[::CONTACTS_PER_COMPANY],
    }


def _templates(made):
    """One row per bulk-copied table, deleted (or left as a draft case) afterwards."""
    import datetime
    from decimal import Decimal

    from bangban.cases.models import Case, CaseItem
    from bangban.consultations.models import Consultation
    from bangban.evaluations.models import Evaluation
    from bangban.problems.models import Problem
    from bangban.projects.models import Category, InvestmentType, Project
    from bangban.supervision.models import SupervisionNotice

    county, contact = made["counties"][0], made["contacts"][0]
    project = Project.objects.create(
        company=contact.company, agency=county, name="template",
        category=Category.GENERAL_INDUSTRIAL, investment_type=InvestmentType.SOCIAL,
        location="滨州市滨城区黄河五路",
        total_investment=Decimal("12000.00"), floor_area=Decimal("45000.00"),
        description="新建标准化厂房及配套设施")
    case = Case.objects.create(
        number="GEN-template", agency=county, project=project, state="in_progress",
        company_contact=contact, created_by=contact.user, specialist=made["specialists"][0],
        mode="assist", scope="full", project_summary="新建厂房三栋，总建筑面积4.5万平方米",
        target_completion_date=datetime.date(2027, 6, 30))
    item = CaseItem.objects.create(case=case, matter=made["matters"][0],
                                   department=made["departments"][0], state="planned",
                                   promised_limit=5)
    supervisor = made["supervisor"]
    consultation = Consultation.objects.create(
        agency=county, channel="phone", asked_at=case.created_at, asker_name="王",
        question="?", first_responder=supervisor)
    problem = Problem.objects.create(
        number="P-template", agency=county, case=case, item=item,
        department_id=item.department_id, title="t", description="d", requested_outcome="o",
        raised_by=supervisor, raised_as="specialist", raised_at=case.created_at,
        due_on=case.created_at.date())
    evaluation = Evaluation.objects.create(
        company=contact.company, case=case, item=item, agency=county, rating=1,
        channel="window", entered_by=supervisor)
    notice = SupervisionNotice.objects.create(
        number="DB-template", agency=county, case=case, item=item,
        department_id=item.department_id, item_due_date=case.created_at.date(),
        issued_at=case.created_at, issued_by=supervisor, response_due=case.created_at.date())
    return project, case, item, consultation, problem, evaluation, notice


def generate(scale=1.0, password="bangban-load-2026", log=print):
    """Writes the dataset at `scale` into the database in use; returns its Sizes."""
    from django.contrib.auth.hashers import make_password

    from bangban.cases.models import Case, CaseItem

    sizes = Sizes(scale)
    log(f"generating {sizes.projects:,} projects, {sizes.items:,} items, {sizes.staff:,} staff, "
        f"{sizes.company_users:,} company users")
    sql = _Sql()
    with transaction.atomic():
        made = _structure(sizes, make_password(password))
        templates = _templates(made)
        log("accounts, agencies and companies written; copying projects, cases and items")
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE gen_map (kind varchar(16), idx integer, "
                           "id bigint, PRIMARY KEY (kind, idx))")
            _map(cursor, "county", [a.pk for a in made["counties"]])
            _map(cursor, "department", [d.pk for d in made["departments"]])
            _map(cursor, "specialist", [u.pk for u in made["specialists"]])
            _map(cursor, "matter", [m.pk for m in made["matters"]])
            _map(cursor, "company", [c.pk for c in made["companies"]])
            _map(cursor, "contact", [c.pk for c in made["contacts"]])
            _map(cursor, "contact_user", [c.user_id for c in made["contacts"]])
            cursor.execute("ANALYZE gen_map")
            _series(cursor, "gen_n", 1, sizes.projects)
            _series(cursor, "gen_j", 0, ITEMS_PER_CASE - 1)
            _copy(cursor, sql, sizes, *templates)
            _project, case, item, consultation, problem, evaluation, notice = templates
            for template in (notice, evaluation, problem, consultation, item):
                cursor.execute(f'DELETE FROM "{template._meta.db_table}" '
                               f"WHERE id = {int(template.pk)}")
            # The template case stays as a draft, which no page counts.
            Case.objects.filter(pk=case.pk).update(state="draft")
            for table in ("gen_map", "gen_n", "gen_j", "gen_project", "gen_case"):
                cursor.execute(f"DROP TABLE {table}")
    count = CaseItem.objects.filter(case__number__startswith="BB0").count()
    if count != sizes.items:
        raise RuntimeError(f"generated {count} items, expected {sizes.items}")
    if sql.postgres:
        # Fresh statistics for the planner; VACUUM only outside a transaction (not in tests).
        outside_transaction_sql("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return sizes


def _copy(cursor, sql, sizes, project, case, item, consultation, problem, evaluation, notice):
    from bangban.cases.models import Case, CaseItem
    from bangban.consultations.models import Consultation
    from bangban.evaluations.models import Evaluation
    from bangban.problems.models import Problem
    from bangban.supervision.models import SupervisionNotice

    counties = sizes.counties

    def pick(kind, index, alias):
        return f"JOIN gen_map AS {alias} ON {alias}.kind = '{kind}' AND {alias}.idx = {index}"

    cursor.execute(clone_sql(type(project), project.pk, {
        "name": "'bench-' || n", "agency_id": "a.id", "company_id": "co.id",
        "is_key_project": "n % 50 = 0",
    }, f"gen_n {pick('county', f'n % {counties}', 'a')} "
       f"{pick('company', f'n % {sizes.companies}', 'co')}"))
    cursor.execute("CREATE TEMP TABLE gen_project AS SELECT id, agency_id, "
                   "CAST(substr(name, 7) AS bigint) AS n FROM projects_project "
                   "WHERE name LIKE 'bench-%'")
    specialist = (f"(p.n % {counties}) * {SPECIALISTS_PER_COUNTY} "
                  f"+ (p.n / {counties}) % {SPECIALISTS_PER_COUNTY}")
    submitted = sql.days_ago(f"(p.n * CAST(7919 AS bigint)) % {SPREAD_DAYS}")
    cursor.execute(clone_sql(Case, case.pk, {
        "number": "'BB' || substr(CAST(10000000000 + p.n AS varchar(11)), 2)",
        "project_id": "p.id", "agency_id": "p.agency_id", "specialist_id": "sp.id",
        "company_contact_id": "ct.id", "created_by_id": "cu.id",
        "state": _shares("p.n % 20", CASE_STATE_SHARES),
        "submitted_at": submitted, "created_at": submitted,
    }, f"gen_project AS p {pick('specialist', specialist, 'sp')} "
       f"{pick('contact', f'p.n % {sizes.companies}', 'ct')} "
       f"{pick('contact_user', f'p.n % {sizes.companies}', 'cu')}"))
    cursor.execute("CREATE TEMP TABLE gen_case AS SELECT c.id, c.agency_id, c.specialist_id, "
                   "c.submitted_at, CAST(substr(c.number, 3) AS bigint) AS n "
                   "FROM cases_case AS c WHERE c.number LIKE 'BB0%'")
    decided, running = "h.h < 48", "h.h >= 50 AND h.h < 75"
    item_department = (f"(h.n % {counties}) * {DEPARTMENTS_PER_COUNTY} "
                       f"+ h.j % {DEPARTMENTS_PER_COUNTY}")
    # Deterministic "random" states from an integer hash of (case, item), the same in both SQLs.
    hashes = ("(SELECT c.id AS case_id, c.n, c.submitted_at, j.n AS j, "
              "((c.n * 2654435761 + j.n * 40503) % 1000003) % 100 AS h, "
              "(c.n * 40503 + j.n * 2654435761) % 1000033 AS h2 "
              "FROM gen_case AS c, gen_j AS j) AS h")
    cursor.execute(clone_sql(CaseItem, item.pk, {
        "case_id": "h.case_id", "matter_id": "m.id", "department_id": "d.id",
        "position": "h.j", "state": _shares("h.h", ITEM_STATE_SHARES),
        "promised_limit": "10 + (h.j % 3) * 5", "limit_unit": "'working_day'",
        "due_date": sql.as_date(sql.plus_days("h.submitted_at", 28)),
        "accepted_at": "CASE WHEN h.h < 75 AND h.h <> 48 AND h.h <> 49 "
                       f"THEN {sql.plus_days('h.submitted_at', 2)} END",
        "decided_at": f"CASE WHEN {decided} THEN "
                      f"{sql.plus_days('h.submitted_at', '4 + h.h2 % 35')} END",
        "days_used": f"CASE WHEN {decided} THEN 2 + h.h2 % 22 END",
        "warning_level": f"CASE WHEN {running} THEN {_choose('h.h2 % 10', LIGHTS)} ELSE '' END",
    }, f"{hashes} {pick('matter', 'h.j', 'm')} {pick('department', item_department, 'd')}"))
    cursor.execute(clone_sql(Consultation, consultation.pk, {
        "agency_id": "p.agency_id", "first_responder_id": "sp.id",
        "asked_at": sql.days_ago(f"(p.n * CAST(104729 AS bigint)) % {SPREAD_DAYS}"),
        "state": _choose("p.n % 3", ("open", "answered", "converted")),
    }, f"gen_project AS p {pick('specialist', specialist, 'sp')}"))
    problem_department = f"(c.n % {counties}) * {DEPARTMENTS_PER_COUNTY}"
    cursor.execute(clone_sql(Problem, problem.pk, {
        "number": "'P' || c.n", "agency_id": "c.agency_id", "case_id": "c.id",
        "item_id": "NULL", "department_id": "d.id",
        "raised_at": sql.plus_days("c.submitted_at", 10),
        "due_on": sql.as_date(sql.plus_days("c.submitted_at", 15)),
        "level": "1 + c.n % 4",
        "state": _choose("(c.n / 5) % 4", ("open", "answered", "relayed", "closed")),
    }, f"gen_case AS c {pick('department', problem_department, 'd')}",
        where="c.n % 5 = 0"))
    cursor.execute(clone_sql(Evaluation, evaluation.pk, {
        "case_id": "i.case_id", "item_id": "i.id", "agency_id": "c.agency_id",
        "specialist_id": "c.specialist_id", "department_id": "i.department_id",
        "company_id": "pr.company_id",
        "rating": "1 + i.id % 5", "rated_at": sql.plus_days("i.decided_at", 2),
    }, "cases_caseitem AS i JOIN gen_case AS c ON c.id = i.case_id "
       "JOIN cases_case AS cc ON cc.id = c.id JOIN projects_project AS pr ON pr.id = cc.project_id "
       , where="i.state = 'approved' AND i.id % 10 = 0"))
    # The supervision scan has kept up: every overdue item already has its notice, open with
    # a reply or an escalation still to come, answered, or closed; the worker starts idle.
    state = _choose("i.id % 10", ("open",) * 6 + ("answered",) * 3 + ("closed",))
    reply_due = sql.local_date("1 + i.id % 5")
    cursor.execute(clone_sql(SupervisionNotice, notice.pk, {
        "number": "'DB' || i.id", "agency_id": "c.agency_id", "case_id": "i.case_id",
        "item_id": "i.id", "department_id": "i.department_id",
        "level": "CASE WHEN i.id % 10 IN (4, 5) THEN 'escalated' ELSE 'notice' END",
        "state": state, "item_due_date": "i.due_date",
        "issued_at": sql.days_ago("i.id % 5"), "response_due": reply_due,
        "next_escalation_on": f"CASE WHEN i.id % 10 < 6 THEN {sql.local_date('2 + i.id % 5')} "
                              "END",
        "escalated_at": f"CASE WHEN i.id % 10 IN (4, 5) THEN {sql.days_ago(1)} END",
        "reply": "CASE WHEN i.id % 10 > 5 THEN '已督促承办科室加快办理' ELSE '' END",
        "replied_at": f"CASE WHEN i.id % 10 > 5 THEN {sql.days_ago(1)} END",
        "closing_note": "CASE WHEN i.id % 10 = 9 THEN '事项已办结' ELSE '' END",
        "closed_at": f"CASE WHEN i.id % 10 = 9 THEN {sql.now} END",
        "closed_by_id": 'CASE WHEN i.id % 10 = 9 THEN t."issued_by_id" END',
    }, "cases_caseitem AS i JOIN gen_case AS c ON c.id = i.case_id "
       "JOIN cases_case AS cc ON cc.id = c.id",
        where=f"i.state = 'accepted' AND cc.state = 'in_progress' "
              f"AND i.due_date < {sql.local_date()}"))
