"""Django merges every Chinese catalogue into one per language.

LOCALE_PATHS (the foundation catalogue) wins, then apps earlier in INSTALLED_APPS. A msgid that
two catalogues translate differently therefore shows one app's wording in the other app. A word
that means different things in different places needs a message context (pgettext) instead.
"""

import importlib.util
from pathlib import Path
from types import ModuleType

from django.utils import translation

from fangkong.assistance.models import (
    ApplicationStatus,
    Category,
    DonorKind,
    HelpStatus,
    HouseholdStatus,
)
from fangkong.checkpoints.models import Result, Status
from fangkong.community.models import TaskStatus
from fangkong.passes.models import PassCheck

ROOT = Path(__file__).resolve().parents[3]

# msgid -> why its different wordings are genuine synonyms, correct wherever the msgid is used.
# Keep this short: a word whose meaning differs between apps needs a context, not an entry here.
SYNONYMS: dict[str, str] = {}


def load_compile_messages() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "compile_messages", ROOT / "scripts" / "compile_messages.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def catalogues() -> dict[str, dict[str, str]]:
    parse_po = load_compile_messages().parse_po
    found = {}
    for po in sorted((ROOT / "fangkong").glob("**/locale/zh_Hans/LC_MESSAGES/django.po")):
        catalogue, problems = parse_po(po.read_text(encoding="utf-8"))
        assert not problems, f"{po.relative_to(ROOT)}: {problems}"
        found[str(po.relative_to(ROOT))] = catalogue
    return found


def test_every_app_catalogue_is_found():
    names = set(catalogues())
    for app in ("assistance", "checkpoints", "community", "directives", "passes", "returnees"):
        assert f"fangkong/{app}/locale/zh_Hans/LC_MESSAGES/django.po" in names
    assert "fangkong/locale/zh_Hans/LC_MESSAGES/django.po" in names


def test_no_msgid_is_translated_differently_in_two_catalogues():
    wordings: dict[str, dict[str, str]] = {}
    for name, catalogue in catalogues().items():
        for msgid, msgstr in catalogue.items():
            if msgid:
                wordings.setdefault(msgid, {})[name] = msgstr
    collisions = {
        msgid.replace("\x04", " | "): by_file
        for msgid, by_file in sorted(wordings.items())
        if len(set(by_file.values())) > 1 and msgid not in SYNONYMS
    }
    assert not collisions, (
        "translated differently in two catalogues (give the msgid a context with "
        f"pgettext where the meaning differs, or use the same wording): {collisions}"
    )


def test_the_allow_list_names_only_real_collisions():
    wordings: dict[str, set[str]] = {}
    for catalogue in catalogues().values():
        for msgid, msgstr in catalogue.items():
            wordings.setdefault(msgid, set()).add(msgstr)
    for msgid, reason in SYNONYMS.items():
        assert reason.strip()
        assert len(wordings.get(msgid, set())) > 1, f"{msgid!r} no longer collides: drop it"


def test_each_app_shows_its_own_wording_in_the_merged_catalogue():
    with translation.override("zh-hans"):
        assert str(Status.OPEN.label) == "值守中"
        assert str(Status.CLOSED.label) == "已撤除"
        assert str(Result.PASSED.label) == "放行"
        assert str(PassCheck.Result.PASSED.label) == "放行"
        assert str(TaskStatus.OPEN.label) == "待处置"
        assert str(TaskStatus.PASSED.label) == "已合格"
        assert str(HelpStatus.OPEN.label) == "待答复"
        assert str(Category.DISABLED.label) == "残疾人"
        assert str(HouseholdStatus.ACTIVE.label) == "在保"
        assert str(ApplicationStatus.REJECTED.label) == "未通过"
        assert str(DonorKind.PERSON.label) == "个人"
        assert translation.gettext("Disabled") == "已停用"
        assert translation.gettext("Active") == "正常"
        assert translation.pgettext("pass route", "From") == "起点"
        assert translation.gettext("From") == "从"
        assert translation.pgettext("person name", "name") == "姓名"
        assert translation.pgettext("object name", "Name") == "名称"
