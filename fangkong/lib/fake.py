"""Realistic, deterministic demo data: Chinese names, valid ID numbers, phones, 蒙M plates.

Everything takes a ``random.Random`` so that the same seed gives the same data.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from fangkong.lib.ids import id_number_with_check_digit

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
    "彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰红"
    "梅建国建华志强海燕春梅文斌金花宝音巴特尔"
)
MONGOLIAN_NAMES = (
    "巴特尔",
    "宝音",
    "其其格",
    "乌云",
    "额尔敦",
    "苏日娜",
    "那仁",
    "图雅",
    "巴雅尔",
    "萨仁",
    "阿拉坦",
    "格日勒",
    "朝鲁",
    "斯琴",
    "满都拉",
    "乌兰",
    "孟和",
    "娜仁花",
    "布和",
    "达来",
)
# County-level address codes of Alxa (152971 is statistics-only and never on an ID card).
ALXA_ADDRESS_CODES = ("152921", "152922", "152923")
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
PLATE_CHARS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def chinese_name(rng: random.Random) -> str:
    if rng.random() < 0.25:
        return rng.choice(MONGOLIAN_NAMES)
    surname = rng.choice(SURNAMES)
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return surname + given


def birth_date(rng: random.Random, *, min_age: int = 18, max_age: int = 75) -> date:
    today = date(2020, 2, 1)
    days = rng.randint(min_age * 365, max_age * 365)
    return today - timedelta(days=days)


def id_number(
    rng: random.Random,
    *,
    address_code: str | None = None,
    born: date | None = None,
    sex: str | None = None,
) -> str:
    """A valid 18-digit ID number (right check digit) with an Alxa address code by default."""
    area = address_code or rng.choice(ALXA_ADDRESS_CODES)
    born = born or birth_date(rng)
    order = rng.randint(0, 99)
    sex_digit = rng.choice(
        (1, 3, 5, 7, 9) if sex == "M" else (0, 2, 4, 6, 8) if sex == "F" else range(10)
    )
    return id_number_with_check_digit(f"{area}{born:%Y%m%d}{order:02d}{sex_digit}")


def mobile(rng: random.Random) -> str:
    prefix = rng.choice(("134", "138", "139", "150", "151", "152", "158", "177", "186", "189"))
    return prefix + "".join(str(rng.randint(0, 9)) for _ in range(8))


def plate(rng: random.Random, *, province: str = "蒙", letter: str = "M") -> str:
    """An Alxa plate (蒙M), ordinary or, one time in five, new-energy."""
    if rng.random() < 0.2:
        return f"{province}{letter}{rng.choice('DF')}{rng.choice(PLATE_CHARS)}" + "".join(
            str(rng.randint(0, 9)) for _ in range(4)
        )
    return f"{province}{letter}" + "".join(rng.choice(PLATE_CHARS) for _ in range(5))
