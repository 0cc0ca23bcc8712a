"""Shared test data for returnees."""

from __future__ import annotations

from datetime import date
from typing import Any

from fangkong.returnees.models import KeyGroup, Transport
from fangkong.returnees.services import TripData

VILLAGE = "152921110200"  # 南田村, in 巴彦浩特镇, 阿拉善左旗
OTHER_VILLAGE = "152921110201"  # 东关村, same town
RIGHT_VILLAGE = "152922103001"  # 阳光社区, 阿拉善右旗
STANDARD_ID = "11010519491231002X"  # the GB 11643 example
ID_2 = "152921199001010013"
ID_3 = "152922198505050029"


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
