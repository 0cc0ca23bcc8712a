"""Background work: the evening daily reports (django-tasks, database backend).

``daily_reports_make`` makes the xlsx and PDF daily report of the league and of every banner
for a day and keeps them (``DailyReportFile``); then it schedules itself for the next evening.
Start the chain once with ``fangkong daily_report --schedule`` (and run ``fangkong db_worker``).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django_tasks import task

from fangkong.directives import dailyreport, services
from fangkong.divisions.models import Division, Level

EVENING = time(20, 0)
FORMATS = ("xlsx", "pdf")


def next_evening(now: datetime | None = None) -> datetime:
    """The next 20:00 local time after ``now``."""
    local = timezone.localtime(now or timezone.now())
    candidate = local.replace(hour=EVENING.hour, minute=EVENING.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate


def make_reports(day: date) -> int:
    made = 0
    divisions = Division.objects.filter(level__in=[Level.LEAGUE, Level.COUNTY]).order_by("code")
    for division in divisions:
        report = dailyreport.build_daily_report(division=division, day=day)
        for fmt in FORMATS:
            services.daily_report_file_save(
                division=division,
                day=day,
                fmt=fmt,
                content=dailyreport.render(report, fmt),
                filename=dailyreport.filename(report, fmt),
            )
            made += 1
    return made


@task()
def daily_reports_make(day: str = "", reschedule: bool = True) -> int:
    """Make the day's reports (default: today) and schedule the next evening's run."""
    made = make_reports(date.fromisoformat(day) if day else timezone.localdate())
    if reschedule:
        daily_reports_make.using(run_after=next_evening()).enqueue()
    return made
