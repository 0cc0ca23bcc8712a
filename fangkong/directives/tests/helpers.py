"""Shared builders for the directives tests."""

from __future__ import annotations

from datetime import date

from fangkong.directives import services
from fangkong.directives.models import Notice
from fangkong.divisions.models import Division

NOTICE_TEXT = """阿拉善左旗应对疫情工作指挥部关于加强卡口管理的通知
左防指发〔2020〕3号
各苏木镇：
一、设立检查点。各嘎查路口24小时值守。
二、做好登记。过往人员一律登记测温。
特此通知。
阿拉善左旗应对疫情工作指挥部
2020年2月5日
"""


def notice_for(actor, code: str, *, public: bool = False, title: str = "") -> Notice:
    division = Division.objects.get(code=code)
    notice = services.notice_import(actor=actor, division=division, text=NOTICE_TEXT, public=public)
    if title:
        notice.title = title
        notice.save(update_fields=["title"])
    return notice


def assign_all(actor, notice: Notice, codes: list[str], deadline: date):
    return services.measure_assign(
        actor=actor,
        measures=list(notice.measures.order_by("position")),
        divisions=list(Division.objects.filter(code__in=codes)),
        deadline=deadline,
    )
