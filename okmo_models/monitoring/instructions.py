"""The instructions (поручения) as the monthly meeting sees them on its date.

At a meeting on date D (seed 002: the results of the month are discussed by the 10th of
the next month, with "the instructions due in the month past" and the reasons they were not
carried out):

- **overdue**: due before D and not done by D (in progress or not done, or done after D:
  on the meeting's day it was not done yet);
- **done late**: done after its due date, since the previous meeting (the same day a month
  before D) and by D;
- **due soon**: not done by D, due on D or within ``due_soon_days`` days after it;
- done on time and cancelled instructions are counted, not listed; instructions issued
  after D did not exist at the meeting and are counted apart.

Pure date arithmetic over the rows of :mod:`okmo_models.monitoring.tables_in`, checked by
hand in ``tests/test_monitoring.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DONE, IN_PROGRESS, NOT_DONE, CANCELLED = "done", "in_progress", "not_done", "cancelled"


@dataclass(frozen=True)
class InstructionsReview:
    meeting: dt.date
    since: dt.date  # the previous meeting: done late after it is news at this one
    due_soon_until: dt.date
    overdue: tuple  # the table's instructions, most overdue first
    done_late: tuple
    due_soon: tuple  # soonest first
    counts: dict  # status at the meeting -> number: done, done_late, in_progress, not_done, cancelled, later

    def days_overdue(self, instruction) -> int:
        return (self.meeting - instruction.due).days


def month_before(day: dt.date) -> dt.date:
    """The same day a month earlier (the last day of that month if it is shorter).

    >>> month_before(dt.date(2027, 3, 31))
    datetime.date(2027, 2, 28)
    """
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError(day)


def done_by(instruction, day: dt.date) -> bool:
    return instruction.status == DONE and instruction.done_on is not None and instruction.done_on <= day


def review_instructions(instructions, meeting: dt.date, due_soon_days: int) -> InstructionsReview:
    """The instructions as the meeting on ``meeting`` sees them (see the module's rules)."""
    since = month_before(meeting)
    until = meeting + dt.timedelta(days=due_soon_days)
    overdue, late, soon = [], [], []
    counts = {DONE: 0, "done_late": 0, IN_PROGRESS: 0, NOT_DONE: 0, CANCELLED: 0, "later": 0}
    for i in instructions:
        if i.issued > meeting:
            counts["later"] += 1
        elif i.status == CANCELLED:
            counts[CANCELLED] += 1
        elif done_by(i, meeting):
            if i.done_on > i.due:
                counts["done_late"] += 1
                if i.done_on > since:
                    late.append(i)
            else:
                counts[DONE] += 1
        else:
            # in progress at the meeting (a row done later was still in progress then)
            counts[NOT_DONE if i.status == NOT_DONE else IN_PROGRESS] += 1
            if i.due < meeting:
                overdue.append(i)
            elif i.due <= until:
                soon.append(i)
    return InstructionsReview(meeting, since, until, tuple(sorted(overdue, key=lambda i: (i.due, i.id))),
                              tuple(sorted(late, key=lambda i: (i.done_on, i.id))),
                              tuple(sorted(soon, key=lambda i: (i.due, i.id))), counts)
