"""Shared test data for returnees."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from fangkong.accounts.models import User
from fangkong.returnees.models import KeyGroup, Observation, Transport
from fangkong.returnees.services import (
    TripData,
    check_record,
    observation_start,
    returnee_register,
)

VILLAGE = "152921110200"  # 南田村, in 巴彦浩特镇, 阿拉善左旗
OTHER_VILLAGE = "152921110201"  # 东关村, same town
RIGHT_VILLAGE = "152922103001"  # 阳光社区, 阿拉善右旗
STANDARD_ID = "11010519491231002X"  # the GB 11643 example
ID_2 = "152921199001010013"
ID_3 = "152922198505050029"
TZ = ZoneInfo("Asia/Shanghai")
START = date(2020, 2, 5)  # 14 days: 02-05 … 02-18 are checked, release from 02-19


def trip_data(**overrides: Any) -> TripData:
    values: dict[str, Any] = {
        "id_number": ID_2,
        "name": "张三",
        "mobile": "13812345678",
        "key_group": KeyGroup.STAFF,
        "departure_date": date(2020, 2, 3),
        "arrival_date": date(2020, 2, 4),
        "division_code": VILLAGE,
        "transport": Transport.TRAIN,
        "transport_number": "K1234",
        "origin_province": "河北省",
        "origin_city": "石家庄市",
    }
    values.update(overrides)
    return TripData(**values)


def observe(actor: User, id_number: str, name: str, start: date = START) -> Observation:
    with time_machine.travel(datetime(start.year, start.month, start.day, 8, tzinfo=TZ)):
        trip = returnee_register(
            actor=actor,
            data=trip_data(id_number=id_number, name=name, key_group=KeyGroup.INBOUND),
        )
        return observation_start(actor=actor, trip=trip, start_date=start)


def check_days(
    actor: User,
    obs: Observation,
    *,
    skip: tuple[date, ...] = (),
    readings: dict[date, str] | None = None,
    days: int = 14,
) -> None:
    """One check a day at 10:00 over the period, except ``skip``; ``readings`` by day."""
    for offset in range(days):
        day = obs.start_date + timedelta(days=offset)
        if day in skip:
            continue
        with time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=TZ)):
            check_record(
                actor=actor,
                observation=obs,
                temperature=(readings or {}).get(day, "36.5"),
                contact="phone",
            )
