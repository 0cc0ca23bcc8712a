from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fangkong.checkpoints.coverage import Gap, coverage_gaps

TZ = ZoneInfo("Asia/Shanghai")


def t(day, hour, minute=0, second=0):
    return datetime(2020, 2, day, hour, minute, second, tzinfo=TZ)


def test_a_day_without_shifts_is_one_gap():
    assert coverage_gaps([], start=t(10, 0), end=t(11, 0), min_people=2) == [
        Gap(t(10, 0), t(11, 0))
    ]


def test_shifts_meeting_at_midnight_leave_no_gap():
    shifts = [(t(10, 16), t(11, 0), 2), (t(11, 0), t(11, 8), 3)]
    assert coverage_gaps(shifts, start=t(10, 20), end=t(11, 8), min_people=2) == []


def test_a_night_shift_across_midnight_covers_both_days():
    shifts = [(t(10, 0), t(10, 20), 2), (t(10, 20), t(11, 8), 2), (t(11, 8), t(12, 0), 2)]
    assert coverage_gaps(shifts, start=t(10, 0), end=t(12, 0), min_people=2) == []


def test_a_minute_missing_at_midnight_is_a_gap():
    shifts = [(t(10, 16), t(10, 23, 59), 2), (t(11, 0), t(11, 8), 2)]
    assert coverage_gaps(shifts, start=t(10, 16), end=t(11, 8), min_people=2) == [
        Gap(t(10, 23, 59), t(11, 0))
    ]


def test_a_shift_with_too_few_people_is_no_cover():
    shifts = [(t(10, 8), t(10, 20), 1), (t(10, 20), t(11, 8), 2)]
    gaps = coverage_gaps(shifts, start=t(10, 8), end=t(11, 8), min_people=2)
    assert gaps == [Gap(t(10, 8), t(10, 20))]
    assert gaps[0].minutes == 12 * 60


def test_a_shift_ending_mid_minute_leaves_that_minute_uncovered():
    shifts = [(t(10, 8), t(10, 12, 0, 30), 2), (t(10, 12, 1), t(10, 18), 2)]
    assert coverage_gaps(shifts, start=t(10, 8), end=t(10, 18), min_people=2) == [
        Gap(t(10, 12), t(10, 12, 1))
    ]


def test_seven_days_with_one_missing_night_across_days():
    start = t(10, 8)
    shifts = []
    for day in range(7):
        base = start + timedelta(days=day)
        shifts.append((base, base + timedelta(hours=12), 2))
        if day != 3:
            shifts.append((base + timedelta(hours=12), base + timedelta(hours=24), 2))
    gaps = coverage_gaps(shifts, start=start, end=start + timedelta(days=7), min_people=2)
    assert gaps == [Gap(t(13, 20), t(14, 8))]


def test_overlapping_shifts_and_shifts_outside_the_window():
    shifts = [(t(9, 0), t(10, 10), 2), (t(10, 9), t(10, 14), 4), (t(12, 0), t(12, 5), 2)]
    assert coverage_gaps(shifts, start=t(10, 8), end=t(10, 16), min_people=2) == [
        Gap(t(10, 14), t(10, 16))
    ]
