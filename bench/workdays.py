"""Benchmark: the cumulative working-day index against a day-by-day loop.

Run from the project root:  uv run python bench/workdays.py  [--queries N] [--seed S]

Both methods answer the same random questions on the same in-memory calendar (the
chinese_calendar package's schedules 2004–2026, as `workdays seed` stores them), so only the
algorithm differs: the index (cumulative counts + binary search, bangban/deadlines/
working_calendar.py) against walking one day at a time and asking whether each day is a working
day. Every answer is checked to be the same. The last line is the overall speedup.
"""

import argparse
import datetime
import gc
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bangban.deadlines.working_calendar import calendar_from_package  # noqa: E402

ONE_DAY = datetime.timedelta(days=1)
FIRST, LAST = datetime.date(2004, 1, 1), datetime.date(2026, 12, 31)


def naive_add(is_working, start, count):
    day = start
    while count > 0:
        day += ONE_DAY
        if is_working(day):
            count -= 1
    return day


def naive_between(is_working, start, end):
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        if is_working(day):
            count += 1
    return count


def timed(function, questions, repeat):
    """The best of `repeat` runs (like timeit: the least disturbed one), and the answers."""
    best, answers = float("inf"), None
    for _ in range(repeat):
        gc.disable()
        began = time.perf_counter()
        answers = [function(*question) for question in questions]
        best = min(best, time.perf_counter() - began)
        gc.enable()
    return best, answers


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=2000,
                        help="questions of each kind (default 2000)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each measurement; the best counts (default 3)")
    parser.add_argument("--max-count", type=int, default=1000,
                        help="largest N for 'N working days after' (default 1000)")
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()

    calendar = calendar_from_package()
    is_working = calendar.is_working_day
    rng = random.Random(options.seed)
    first, last = FIRST.toordinal(), LAST.toordinal()

    def random_day():
        return datetime.date.fromordinal(rng.randint(first, last))

    due = [(random_day(), rng.randint(0, options.max_count)) for _ in range(options.queries)]
    between = [tuple(sorted((random_day(), random_day()))) for _ in range(options.queries)]
    short = [(random_day(), rng.randint(1, 60)) for _ in range(options.queries)]

    print(f"Working-day calendar benchmark (seed {options.seed}), starts and ends uniform over "
          f"{FIRST}..{LAST}; the same questions for both methods, every answer compared.")
    index_total, naive_total = 0.0, 0.0
    workloads = [
        (f"due: N working days after START, N 0..{options.max_count}", due,
         calendar.add_working_days, lambda s, n: naive_add(is_working, s, n), True),
        ("between: working days after START up to END", between,
         calendar.working_days_between, lambda s, e: naive_between(is_working, s, e), True),
        ("due with a short limit, N 1..60 (not in the total)", short,
         calendar.add_working_days, lambda s, n: naive_add(is_working, s, n), False),
    ]
    for label, questions, index_function, naive_function, in_total in workloads:
        index_time, index_answers = timed(index_function, questions, options.repeat)
        naive_time, naive_answers = timed(naive_function, questions, options.repeat)
        if index_answers != naive_answers:
            sys.exit(f"{label}: the index and the loop disagree")
        if in_total:
            index_total += index_time
            naive_total += naive_time
        print(f"{label}\n"
              f"  index:      {len(questions) / index_time:>12,.0f} queries/s\n"
              f"  naive loop: {len(questions) / naive_time:>12,.0f} queries/s\n"
              f"  speedup:    {naive_time / index_time:>12,.1f}×")
    print(f"speedup vs naive loop: {naive_total / index_total:.0f}×")


if __name__ == "__main__":
    main()
