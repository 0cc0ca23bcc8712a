"""Demo directives: the founding notice of the league HQ, its five measures assigned to every
banner, a few 落实情况 reports, and two weeks of implementation figures.

The founding notice is imported from ``data/notices/alxa-league-2020-02-return-to-work.txt``
through the same parser and service as a pasted notice. Idempotent: a second run finds the
notice by its title and changes nothing.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.directives import services
from fangkong.directives.models import AssignmentStatus, Notice, NoticeKind
from fangkong.directives.parsing import decode_text_file, parse_notice
from fangkong.divisions.models import Division, Level

FOUNDING_NOTICE = Path("data/notices/alxa-league-2020-02-return-to-work.txt")
FOUNDING_ISSUER = "阿拉善盟应对新型冠状病毒感染肺炎疫情工作指挥部"
# The web page's text carries no date; the notice followed the 1 February 2020 circular.
FOUNDING_DATE = date(2020, 2, 3)


def founding_notice_path() -> Path:
    return Path(settings.BASE_DIR) / FOUNDING_NOTICE


def populate(*, rng: random.Random, scale: int, out: TextIO) -> None:
    league = Division.objects.filter(level=Level.LEAGUE).order_by("code").first()
    commander = User.objects.filter(username="commander").first()
    staff = User.objects.filter(username="staff").first()
    if league is None or commander is None or staff is None:
        out.write("  skipped: the league or the demo users are missing\n")
        return
    parsed = parse_notice(decode_text_file(founding_notice_path().read_bytes()))
    if Notice.objects.filter(division_code=league.code, title=parsed.title).exists():
        out.write("  founding notice: already there\n")
        return
    notice = services.notice_create_from_parsed(
        actor=staff,
        division=league,
        parsed=parsed,
        kind=NoticeKind.NOTICE,
        public=True,
        title=parsed.title,
        issuer_name=parsed.issuer or FOUNDING_ISSUER,
        doc_number=parsed.doc_number,
        date=parsed.date or FOUNDING_DATE,
    )
    banners = list(Division.objects.filter(parent=league).order_by("code"))
    today = timezone.localdate()
    measures = list(notice.measures.order_by("position"))
    # Measures 一 to 四 are due in three days; 五 was due yesterday, so overdue marks show.
    assignments = services.measure_assign(
        actor=staff, measures=measures[:4], divisions=banners, deadline=today + timedelta(days=3)
    ) + services.measure_assign(
        actor=staff, measures=measures[4:], divisions=banners, deadline=today - timedelta(days=1)
    )
    reporter = staff  # the league office reports on behalf of the banners in the demo
    reported = 0
    for assignment in assignments:
        roll = rng.random()
        if roll < 0.35:
            continue
        status = AssignmentStatus.DONE if roll > 0.75 else AssignmentStatus.IN_PROGRESS
        services.implementation_report_submit(
            actor=reporter,
            assignment=assignment,
            text=f"{assignment.division.short_name}已部署落实：{assignment.measure.title}。",
            status=status,
            figures={"出动人员": rng.randint(20, 400), "检查点位": rng.randint(2, 40)},
        )
        reported += 1
    out.write(
        f"  founding notice: imported with {len(measures)} measures, "
        f"{len(assignments)} assignments, {reported} reports\n"
    )
