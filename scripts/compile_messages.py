"""Compile the translation catalogues (.po → .mo) without GNU gettext.

``python scripts/compile_messages.py`` writes each ``fangkong/**/locale/*/LC_MESSAGES/django.mo``;
``--check`` exits 1 when a committed .mo does not match its .po (so CI catches a forgotten
compile) or when a catalogue has an untranslated or fuzzy entry.
"""

from __future__ import annotations

import argparse
import ast
import struct
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "fangkong"


def _unquote(line: str) -> str:
    return str(ast.literal_eval(line))


def parse_po(text: str) -> tuple[dict[str, str], list[str]]:
    """Return {msgid (with context and plural joined as gettext does): msgstr} and problems."""
    catalogue: dict[str, str] = {}
    problems: list[str] = []
    entry: dict[str, str | dict[int, str]] = {}
    fuzzy = False
    key: str | None = None
    index = 0

    def flush(lineno: int) -> None:
        nonlocal entry, fuzzy
        if "msgid" in entry:
            msgid = str(entry["msgid"])
            if "msgid_plural" in entry:
                plurals = entry.get("msgstr_plural", {})
                assert isinstance(plurals, dict)
                msgid = msgid + "\0" + str(entry["msgid_plural"])
                msgstr = "\0".join(plurals[i] for i in sorted(plurals))
            else:
                msgstr = str(entry.get("msgstr", ""))
            if "msgctxt" in entry:
                msgid = str(entry["msgctxt"]) + "\x04" + msgid
            if msgid and (not msgstr.replace("\0", "") or fuzzy):
                problems.append(f"line {lineno}: {'fuzzy' if fuzzy else 'untranslated'}: {msgid!r}")
            elif not fuzzy or not msgid:
                catalogue[msgid] = msgstr
            # Only a finished entry resets the flag: a "#, fuzzy" line precedes its msgid.
            entry, fuzzy = {}, False

    lines = text.splitlines()
    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            flush(lineno)
            fuzzy = True
            continue
        if not line or line.startswith("#"):
            if not line and entry.get("msgid") is not None and key and key.startswith("msgstr"):
                flush(lineno)
            continue
        if line.startswith("msgctxt "):
            flush(lineno)
            key, entry["msgctxt"] = "msgctxt", _unquote(line[8:])
        elif line.startswith("msgid_plural "):
            key, entry["msgid_plural"] = "msgid_plural", _unquote(line[13:])
        elif line.startswith("msgid "):
            if key and key.startswith("msgstr"):
                flush(lineno)
            key, entry["msgid"] = "msgid", _unquote(line[6:])
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            plurals = entry.setdefault("msgstr_plural", {})
            assert isinstance(plurals, dict)
            plurals[index] = _unquote(line[line.index("]") + 1 :].strip())
            key = "msgstr_plural"
        elif line.startswith("msgstr "):
            key, entry["msgstr"] = "msgstr", _unquote(line[7:])
        elif line.startswith('"') and key:
            if key == "msgstr_plural":
                plurals = entry["msgstr_plural"]
                assert isinstance(plurals, dict)
                plurals[index] += _unquote(line)
            else:
                entry[key] = str(entry[key]) + _unquote(line)
    flush(len(lines))
    return catalogue, problems


def build_mo(catalogue: dict[str, str]) -> bytes:
    keys = sorted(catalogue)
    ids = b""
    strs = b""
    offsets = []
    for key in keys:
        kid, kstr = key.encode("utf-8"), catalogue[key].encode("utf-8")
        offsets.append((len(ids), len(kid), len(strs), len(kstr)))
        ids += kid + b"\0"
        strs += kstr + b"\0"
    n = len(keys)
    keystart = 7 * 4 + 16 * n
    valuestart = keystart + len(ids)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + keystart]
        voffsets += [l2, o2 + valuestart]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, n, 7 * 4, 7 * 4 + n * 8, 0, 0)
    return (
        header
        + struct.pack(f"{len(koffsets)}i", *koffsets)
        + struct.pack(f"{len(voffsets)}i", *voffsets)
        + ids
        + strs
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="verify, write nothing")
    args = parser.parse_args()
    failures = 0
    # The project catalogue (fangkong/locale) and one per domain app (fangkong/<app>/locale).
    for po in sorted(PACKAGE_DIR.glob("**/locale/*/LC_MESSAGES/*.po")):
        catalogue, problems = parse_po(po.read_text(encoding="utf-8"))
        mo = po.with_suffix(".mo")
        data = build_mo(catalogue)
        for problem in problems:
            print(f"{po.relative_to(PACKAGE_DIR)}: {problem}")
        failures += len(problems)
        if args.check:
            if not mo.exists() or mo.read_bytes() != data:
                print(f"{mo.relative_to(PACKAGE_DIR)} is out of date: run make messages")
                failures += 1
        else:
            mo.write_bytes(data)
            print(f"{mo.relative_to(PACKAGE_DIR)}: {len(catalogue) - 1} messages")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
