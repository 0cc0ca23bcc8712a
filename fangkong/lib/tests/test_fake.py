import random

from fangkong.lib.fake import chinese_name, id_number, mobile, plate
from fangkong.lib.ids import normalize_mobile, normalize_plate, parse_id_number


def test_fake_data_is_valid_and_deterministic():
    first = [(chinese_name(r), id_number(r), mobile(r), plate(r)) for r in [random.Random(7)] * 50]
    again = [(chinese_name(r), id_number(r), mobile(r), plate(r)) for r in [random.Random(7)] * 50]
    assert first == again
    for name, number, phone, car in first:
        assert 2 <= len(name) <= 4
        assert parse_id_number(number).address_code in {"152921", "152922", "152923"}
        assert normalize_mobile(phone) == phone
        assert normalize_plate(car).startswith("蒙M")
