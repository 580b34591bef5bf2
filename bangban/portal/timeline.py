"""The case's plan as a timeline (SPEC §4 "planned", §11): planned against actual per item,
the projected schedule, the critical path through the items' prerequisites, and the projected
completion against the case's target.

Pure functions over `Task`s and a working-day calendar (`deadlines.working_calendar`), so the
rules are unit-tested without a database; `build_timeline` turns a case's items into tasks.

Projection, item by item in prerequisite order:
- finished: as it happened;
- running: from its actual start to its clock's due date (or its planned length from the
  actual start when no department clock runs yet), never before today;
- not started: on the working day after its last prerequisite's projected end, not before its
  planned start nor before today, lasting its promised limit — as `generate_plan` schedules.

The critical path is the chain that ends with the latest projected end, followed back through
each item's latest-ending prerequisites (all of them when several end on the same day): the
items whose delay delays the completion.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from bangban.cases.workflow import FINISHED_ITEM_STATES, ItemState
from bangban.catalog.models import LimitUnit

# Hunan's plan promises key projects completion of the approvals within 120 working days; a
# case without its own target date is measured against it.
DEFAULT_TARGET_WORKING_DAYS = 120


@dataclass(frozen=True)
class Task:
    key: int
    prerequisites: tuple = ()
    limit: int = 0
    unit: str = LimitUnit.WORKING_DAY
    planned_start: datetime.date | None = None
    planned_end: datetime.date | None = None
    actual_start: datetime.date | None = None
    actual_end: datetime.date | None = None
    due_date: datetime.date | None = None


@dataclass(frozen=True)
class Span:
    start: datetime.date
    end: datetime.date


def _after(calendar, start, limit, unit):
    if unit == LimitUnit.CALENDAR_DAY:
        return start + datetime.timedelta(days=limit)
    return calendar.add_working_days(start, limit)


def _in_order(tasks):
    """Prerequisites first. Unknown prerequisites (items the viewer does not see) are ignored;
    a cycle, which the plan services refuse, is broken in list order rather than failing."""
    keys = {task.key for task in tasks}
    done, ordered, remaining = set(), [], list(tasks)
    while remaining:
        ready = [t for t in remaining if all(p in done or p not in keys for p in t.prerequisites)]
        for task in ready or remaining[:1]:
            ordered.append(task)
            done.add(task.key)
            remaining.remove(task)
    return ordered


def project(tasks, *, today, calendar):
    """{key: Span}: when each item did or is expected to run."""
    first_day = today if calendar.is_working_day(today) else calendar.next_working_day(today)
    spans = {}
    for task in _in_order(tasks):
        if task.actual_end is not None:
            start = task.actual_start or task.planned_start or task.actual_end
            spans[task.key] = Span(min(start, task.actual_end), task.actual_end)
            continue
        if task.actual_start is not None:
            end = task.due_date or _after(calendar, task.actual_start, task.limit, task.unit)
            spans[task.key] = Span(task.actual_start, max(end, today))
            continue
        start = max(first_day, task.planned_start or first_day)
        before = [spans[p].end for p in task.prerequisites if p in spans]
        if before:
            start = max(start, calendar.next_working_day(max(before)))
        spans[task.key] = Span(start, _after(calendar, start, task.limit, task.unit))
    return spans


def critical_path(tasks, spans):
    """The keys of the items on the critical path (see the module's docstring)."""
    if not spans:
        return set()
    prerequisites = {task.key: [p for p in task.prerequisites if p in spans] for task in tasks}
    latest = max(span.end for span in spans.values())
    critical = set()
    pending = [key for key, span in spans.items() if span.end == latest]
    while pending:
        key = pending.pop()
        if key in critical:
            continue
        critical.add(key)
        before = prerequisites.get(key, [])
        if before:
            last = max(spans[p].end for p in before)
            pending.extend(p for p in before if spans[p].end == last)
    return critical


# ------------------------------------------------------------------------------ for a page


@dataclass
class Bar:
    """One row of the Gantt chart; `*_left` / `*_width` are percentages of the chart's span."""

    item: object
    task: Task
    projected: Span
    critical: bool
    planned_left: float | None = None
    planned_width: float | None = None
    projected_left: float = 0
    projected_width: float = 0
    finished: bool = False
    started: bool = False
    late: bool = False


@dataclass
class Timeline:
    bars: list
    start: datetime.date | None = None
    end: datetime.date | None = None
    today: datetime.date | None = None
    target: datetime.date | None = None
    target_is_default: bool = False
    projected_completion: datetime.date | None = None
    # Working days the projection is ahead of (> 0) or behind (< 0) the target.
    margin: int = 0
    today_left: float | None = None
    target_left: float | None = None
    critical_count: int = 0
    months: list = field(default_factory=list)

    default_target_days = DEFAULT_TARGET_WORKING_DAYS

    @property
    def on_target(self):
        return self.margin >= 0

    @property
    def delay(self):
        return -self.margin


def _percent(day, start, total_days):
    return round((day - start).days / total_days * 100, 2)


def _months(start, end, total_days):
    """Month boundaries inside the chart, for the scale above the bars."""
    marks = []
    month = datetime.date(start.year, start.month, 1)
    while month <= end:
        if month >= start:
            marks.append({"date": month, "left": _percent(month, start, total_days)})
        month = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return marks


def build_timeline(case, items, *, actual, today, calendar):
    """The case's Timeline. `items` are CaseItems with prerequisites fetched; `actual` maps an
    item's pk to its (actual start, actual end) dates, either of them None."""
    tasks = []
    for item in items:
        started, ended = actual.get(item.pk, (None, None))
        if item.state in FINISHED_ITEM_STATES:
            ended = ended or timezone.localdate(item.decided_at or item.updated_at)
        else:
            ended = None
        if started is None and item.state != ItemState.PLANNED:
            started = ended or (timezone.localdate(item.pushed_at) if item.pushed_at else today)
        tasks.append(Task(
            key=item.pk, prerequisites=tuple(p.pk for p in item.prerequisites.all()),
            limit=item.promised_limit, unit=item.limit_unit, planned_start=item.planned_start,
            planned_end=item.planned_end, actual_start=started, actual_end=ended,
            due_date=item.due_date,
        ))
    spans = project(tasks, today=today, calendar=calendar)
    critical = critical_path(tasks, spans)
    projected_completion = max((s.end for s in spans.values()), default=None)

    target, target_is_default = case.target_completion_date, False
    plan_start = min((t.planned_start for t in tasks if t.planned_start), default=None)
    if target is None and plan_start is not None:
        target = calendar.add_working_days(plan_start, DEFAULT_TARGET_WORKING_DAYS)
        target_is_default = True

    days = [d for t in tasks for d in (t.planned_start, t.planned_end) if d]
    days += [d for s in spans.values() for d in (s.start, s.end)]
    days += [d for d in (target, today) if d]
    timeline = Timeline(bars=[], today=today, target=target,
                        target_is_default=target_is_default,
                        projected_completion=projected_completion,
                        critical_count=len(critical))
    if not tasks:
        return timeline
    start, end = min(days), max(days)
    total_days = max((end - start).days + 1, 1)
    timeline.start, timeline.end = start, end
    timeline.today_left = _percent(today, start, total_days)
    timeline.target_left = _percent(target, start, total_days) if target else None
    timeline.months = _months(start, end, total_days)
    if target and projected_completion:
        if projected_completion <= target:
            timeline.margin = calendar.working_days_between(projected_completion, target)
        else:
            timeline.margin = -calendar.working_days_between(target, projected_completion)

    def width(first, last):
        return max(round(((last - first).days + 1) / total_days * 100, 2), 0.8)

    for item, task in zip(items, tasks):
        span = spans[task.key]
        bar = Bar(item=item, task=task, projected=span, critical=task.key in critical,
                  projected_left=_percent(span.start, start, total_days),
                  projected_width=width(span.start, span.end),
                  finished=task.actual_end is not None, started=task.actual_start is not None,
                  late=bool(task.planned_end and span.end > task.planned_end))
        if task.planned_start and task.planned_end:
            bar.planned_left = _percent(task.planned_start, start, total_days)
            bar.planned_width = width(task.planned_start, task.planned_end)
        timeline.bars.append(bar)
    return timeline
