"""Every refused ID number, mobile, plate or credit code reads in the reader's language.

``fangkong.lib.ids`` words its errors in English; ``fangkong.core.numbers.number_error`` gives
them in the active language. The walk below finds every ``except InvalidNumber as e`` handler
in the apps and fails where one shows ``e`` to a person as it is (``str(e)`` or ``f"{e}"``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

from fangkong.core.numbers import number_error
from fangkong.lib.ids import InvalidNumber, parse_id_number

PACKAGE = Path(__file__).resolve().parents[2]

#: Handlers whose text is a machine-read reason in a batch sync answer or a loader's log line,
#: not a message on a page: the field code is what the client reads.
MACHINE_REASONS = {
    ("checkpoints/services.py", 909),
    ("checkpoints/services.py", 921),
    ("passes/services.py", 745),
    ("divisions/services.py", 84),
}


def _raw_uses(handler: ast.ExceptHandler) -> list[int]:
    name = handler.name
    lines = []
    for node in ast.walk(ast.Module(body=handler.body, type_ignores=[])):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "str"
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == name
        ):
            lines.append(node.lineno)
        if (
            isinstance(node, ast.FormattedValue)
            and isinstance(node.value, ast.Name)
            and node.value.id == name
        ):
            lines.append(node.lineno)
    return lines


def test_no_handler_shows_the_library_english_as_it_is() -> None:
    offenders = []
    walked = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if "/tests/" in relative or relative.startswith("lib/") or "/migrations/" in relative:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ExceptHandler) or node.name is None:
                continue
            caught = node.type
            names = {n.id for n in ast.walk(caught) if isinstance(n, ast.Name)} if caught else set()
            if "InvalidNumber" not in names:
                continue
            walked += 1
            if (relative, node.lineno) in MACHINE_REASONS:
                continue
            offenders += [f"{relative}:{line}" for line in _raw_uses(node)]
    assert walked >= 10
    assert not offenders, "use fangkong.core.numbers.number_error(exc): " + ", ".join(offenders)


@pytest.mark.parametrize(
    ("language", "expected"), [("zh-hans", "身份证号校验位错误"), ("en", "check digit is wrong")]
)
def test_a_wrong_check_digit_reads_in_the_active_language(language: str, expected: str) -> None:
    with pytest.raises(InvalidNumber) as caught:
        parse_id_number("152921199001010014")
    with translation.override(language):
        assert expected in number_error(caught.value)
