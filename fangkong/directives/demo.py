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
from fangkong.directives.models import Assignment, AssignmentStatus, Notice, NoticeKind
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
    reported = _banner_reports(rng=rng, assignments=assignments, league_staff=staff)
    out.write(
        f"  founding notice: imported with {len(measures)} measures, "
        f"{len(assignments)} assignments, {reported} reports\n"
    )


def _banner_reports(
    *, rng: random.Random, assignments: list[Assignment], league_staff: User
) -> int:
    """The banner office (``banner_staff``) reports on its banner's measures: one done, one in
    progress, one sent back by the league office with the reason, the rest not yet reported."""
    reporter = User.objects.filter(username="banner_staff").first()
    if reporter is None:
        return 0
    own = [
        a
        for a in assignments
        if a.division_code in reporter.own_division_codes("directives.report")
    ]
    own.sort(key=lambda a: a.measure.position)
    plan = [
        (AssignmentStatus.DONE, "已在全旗各苏木镇、嘎查部署落实，返岗人员逐一登记。", ""),
        (AssignmentStatus.IN_PROGRESS, "已设立卡口，正在排班值守。", ""),
        (
            AssignmentStatus.DONE,
            "已完成。",
            "未写明各苏木镇落实的卡口数量和值守人数，请补充后重新上报。",
        ),
    ]
    reported = 0
    for assignment, (status, text, return_reason) in zip(own, plan, strict=False):
        report = services.implementation_report_submit(
            actor=reporter,
            assignment=assignment,
            text=f"{assignment.division.short_name}{text}",
            status=status,
            figures={"出动人员": rng.randint(20, 400), "检查点位": rng.randint(2, 40)},
        )
        reported += 1
        if return_reason:
            services.implementation_report_return(
                actor=league_staff, report=report, comment=return_reason
            )
    return reported
