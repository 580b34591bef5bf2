"""The timeline's rules, without a database: projection, critical path, target."""

import datetime
from types import SimpleNamespace

from bangban.catalog.models import LimitUnit
from bangban.deadlines.working_calendar import WorkingCalendar
from bangban.portal.timeline import (
    DEFAULT_TARGET_WORKING_DAYS,
    Task,
    build_timeline,
    critical_path,
    project,
)

# Monday to Friday; 2026-06-01 is a Monday.
CALENDAR = WorkingCalendar({}, [])
MON = datetime.date(2026, 6, 1)


def day(n):
    return MON + datetime.timedelta(days=n)


def test_an_item_that_has_not_started_waits_for_its_last_prerequisite():
    tasks = [
        Task(key=1, limit=5),
        Task(key=2, limit=2),
        Task(key=3, prerequisites=(1, 2), limit=3),
    ]

    spans = project(tasks, today=MON, calendar=CALENDAR)

    assert spans[1].start == MON and spans[1].end == day(7)        # 5 working days later
    assert spans[2].end == day(2)
    assert spans[3].start == day(8)                                 # day after 1 ends
    assert spans[3].end == day(11)


def test_prerequisites_are_honoured_whatever_the_list_order():
    tasks = [Task(key=3, prerequisites=(1,), limit=1), Task(key=1, limit=1)]

    spans = project(tasks, today=MON, calendar=CALENDAR)

    assert spans[3].start > spans[1].end


def test_nothing_is_expected_to_start_before_today_or_before_its_planned_start():
    saturday = day(5)
    tasks = [Task(key=1, limit=1, planned_start=day(-20)),
             Task(key=2, limit=1, planned_start=day(14))]

    spans = project(tasks, today=saturday, calendar=CALENDAR)

    assert spans[1].start == day(7)    # the next working day after Saturday
    assert spans[2].start == day(14)


def test_finished_items_keep_their_dates_and_running_ones_their_due_date():
    tasks = [
        Task(key=1, limit=5, actual_start=day(-10), actual_end=day(-3)),
        Task(key=2, prerequisites=(1,), limit=5, actual_start=day(-2), due_date=day(4)),
        Task(key=3, prerequisites=(1,), limit=5, actual_start=day(-20)),
    ]

    spans = project(tasks, today=MON, calendar=CALENDAR)

    assert (spans[1].start, spans[1].end) == (day(-10), day(-3))
    assert (spans[2].start, spans[2].end) == (day(-2), day(4))
    # Started 20 days ago with a 5-day limit and no clock: overdue, so expected no earlier
    # than today.
    assert spans[3].end == MON


def test_calendar_day_limits_count_calendar_days():
    spans = project([Task(key=1, limit=10, unit=LimitUnit.CALENDAR_DAY)], today=MON,
                    calendar=CALENDAR)

    assert spans[1].end == day(10)


def test_the_critical_path_follows_the_latest_ending_prerequisites_back():
    #   1 (5d) ─┐
    #           ├─ 3 (3d) ─ 4 (1d)
    #   2 (2d) ─┘
    #   5 (2d)            (independent, short)
    tasks = [
        Task(key=1, limit=5), Task(key=2, limit=2),
        Task(key=3, prerequisites=(1, 2), limit=3), Task(key=4, prerequisites=(3,), limit=1),
        Task(key=5, limit=2),
    ]
    spans = project(tasks, today=MON, calendar=CALENDAR)

    assert critical_path(tasks, spans) == {1, 3, 4}


def test_prerequisites_ending_on_the_same_day_are_both_critical():
    tasks = [Task(key=1, limit=3), Task(key=2, limit=3),
             Task(key=3, prerequisites=(1, 2), limit=1)]
    spans = project(tasks, today=MON, calendar=CALENDAR)

    assert critical_path(tasks, spans) == {1, 2, 3}


def test_parallel_chains_ending_together_are_all_critical_and_nothing_is_empty():
    tasks = [Task(key=1, limit=4), Task(key=2, limit=4)]
    spans = project(tasks, today=MON, calendar=CALENDAR)

    assert critical_path(tasks, spans) == {1, 2}
    assert critical_path([], {}) == set()


def test_a_cycle_does_not_hang_the_page():
    tasks = [Task(key=1, prerequisites=(2,), limit=1), Task(key=2, prerequisites=(1,), limit=1)]

    spans = project(tasks, today=MON, calendar=CALENDAR)

    assert set(spans) == {1, 2}


def test_unknown_prerequisites_are_ignored():
    spans = project([Task(key=1, prerequisites=(99,), limit=1)], today=MON, calendar=CALENDAR)

    assert spans[1].start == MON


class FakeItem(SimpleNamespace):
    def __init__(self, pk, *, before=(), state="planned", limit=5, planned=None, due=None):
        super().__init__(
            pk=pk, state=state, promised_limit=limit, limit_unit=LimitUnit.WORKING_DAY,
            planned_start=planned[0] if planned else None,
            planned_end=planned[1] if planned else None, due_date=due, decided_at=None,
            pushed_at=None, updated_at=None,
            prerequisites=SimpleNamespace(all=lambda: list(before)),
        )


def case(target=None):
    return SimpleNamespace(target_completion_date=target)


def test_the_projection_is_measured_against_the_cases_target():
    first = FakeItem(1, planned=(MON, day(7)))
    second = FakeItem(2, before=[first], planned=(day(8), day(15)))

    early = build_timeline(case(target=day(21)), [first, second], actual={}, today=MON,
                           calendar=CALENDAR)
    late = build_timeline(case(target=day(9)), [first, second], actual={}, today=MON,
                          calendar=CALENDAR)

    assert early.projected_completion == day(15)
    assert early.margin == 4 and early.on_target
    assert late.margin == -4 and late.delay == 4 and not late.on_target
    assert [bar.critical for bar in early.bars] == [True, True]


def test_without_a_target_the_default_is_120_working_days_from_the_planned_start():
    item = FakeItem(1, planned=(MON, day(7)))

    timeline = build_timeline(case(), [item], actual={}, today=MON, calendar=CALENDAR)

    assert timeline.target_is_default
    assert timeline.target == CALENDAR.add_working_days(MON, DEFAULT_TARGET_WORKING_DAYS)


def test_bars_are_placed_in_percent_of_the_charts_span_and_late_items_flagged():
    first = FakeItem(1, state="approved", planned=(MON, day(4)))
    second = FakeItem(2, before=[first], state="accepted", planned=(day(7), day(11)),
                      due=day(18))
    actual = {1: (MON, day(8)), 2: (day(9), None)}

    timeline = build_timeline(case(target=day(27)), [first, second], actual=actual,
                              today=day(10), calendar=CALENDAR)

    one, two = timeline.bars
    assert timeline.start == MON and timeline.end == day(27)
    assert one.finished and one.late and one.projected.end == day(8)
    assert two.started and not two.finished and two.projected.end == day(18)
    assert one.projected_left == 0 and one.planned_left == 0
    assert 0 < timeline.today_left < timeline.target_left == 96.43
    for bar in timeline.bars:
        assert 0 <= bar.projected_left and bar.projected_left + bar.projected_width <= 100.01


def test_an_empty_plan_gives_an_empty_timeline():
    timeline = build_timeline(case(), [], actual={}, today=MON, calendar=CALENDAR)

    assert timeline.bars == [] and timeline.projected_completion is None
