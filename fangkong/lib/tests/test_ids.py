from datetime import date

import pytest

from fangkong.lib.ids import (
    InvalidNumber,
    division_full_code,
    division_scope_key,
    id_number_with_check_digit,
    normalize_mobile,
    normalize_plate,
    normalize_uscc,
    parse_id_number,
)
from fangkong.lib.masking import mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("1529", "1529"),
        ("152900", "1529"),
        ("152900000000", "1529"),
        ("152921", "152921"),
        ("152921000000", "152921"),
        ("152921102", "152921102"),
        ("152921102000", "152921102"),
        ("152921102201", "152921102201"),
        (" 152921 ", "152921"),
        ("15", "15"),
    ],
)
def test_every_written_form_of_a_division_code_gives_its_scope_key(written, key):
    assert division_scope_key(written) == key


def test_the_full_code_is_padded_to_twelve_digits():
    assert division_full_code("1529") == "152900000000"
    assert division_full_code("152921110") == "152921110000"


@pytest.mark.parametrize("bad", ["", "15292", "15a921", "1529211", "１５２９", "1529211020001"])
def test_it_rejects_malformed_division_codes(bad):
    with pytest.raises(InvalidNumber):
        division_scope_key(bad)


def test_it_accepts_a_valid_id_number_and_derives_birth_and_sex():
    number = id_number_with_check_digit("15292119900101001")
    info = parse_id_number(number)
    assert info.birth_date == date(1990, 1, 1)
    assert info.sex == "M"
    assert info.address_code == "152921"


def test_it_reports_a_wrong_check_digit():
    number = id_number_with_check_digit("15292119900101002")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(InvalidNumber, match="check digit"):
        parse_id_number(wrong)


def test_it_converts_a_fifteen_digit_legacy_number():
    info = parse_id_number("152921900101002")
    assert len(info.number) == 18
    assert info.number.startswith("15292119900101002")
    assert info.sex == "F"


@pytest.mark.parametrize("bad", ["", "1529211990", "15292119901301001X", "15292119900101001Y"])
def test_it_rejects_malformed_id_numbers(bad):
    with pytest.raises(InvalidNumber):
        parse_id_number(bad)


def test_a_lowercase_x_check_digit_is_accepted():
    for seq in range(1000):
        number = id_number_with_check_digit(f"15292119850505{seq:03d}")
        if number.endswith("X"):
            assert parse_id_number(number.lower()).number == number
            break
    else:
        pytest.fail("no number with an X check digit found")


def test_mobile_numbers_are_normalised_and_validated():
    assert normalize_mobile("138 1234 5678") == "13812345678"
    assert normalize_mobile("+86 13812345678") == "13812345678"
    with pytest.raises(InvalidNumber):
        normalize_mobile("12812345678")
    with pytest.raises(InvalidNumber):
        normalize_mobile("1381234567")


def test_unified_social_credit_codes_are_validated():
    assert normalize_uscc("91110000600037341L") == "91110000600037341L"
    with pytest.raises(InvalidNumber):
        normalize_uscc("91110000600037341M")


@pytest.mark.parametrize("plate", ["蒙M12345", "蒙MA1234", "蒙MD12345", "蒙M12345F", "京A·12345"])
def test_ordinary_and_new_energy_plates_are_accepted(plate):
    assert normalize_plate(plate).startswith(plate[:2])


@pytest.mark.parametrize("plate", ["", "蒙12345", "M12345", "蒙M1234", "蒙MO1234", "X MA12345"])
def test_malformed_plates_are_rejected(plate):
    with pytest.raises(InvalidNumber):
        normalize_plate(plate)


def test_masking_keeps_only_what_identifies_nothing():
    assert mask_id_number("152921199001010013") == "152921********0013"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三丰") == "张**"
    assert mask_id_number("") == ""
