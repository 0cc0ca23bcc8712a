"""The audit trail reads in Chinese: every action and detail any service records has a name,
the actor is a person's name, the division a place name, a status its label."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

from fangkong.accounts.roles import Role
from fangkong.accounts.services import RoleGrant, user_create
from fangkong.core.audit_labels import DETAIL_LABELS, VERB_LABELS
from fangkong.core.tests.language import english_words, visible_text
from fangkong.directives import services as directives
from fangkong.directives.models import Assignment
from fangkong.directives.tests.helpers import assign_all, notice_for
from fangkong.test import LEAGUE, LEFT_BANNER, BaseTestCase, division

PACKAGE = Path(__file__).resolve().parents[2]
# Verbs built at run time: every value they can take.
DYNAMIC = {
    "application.": ["approved", "rejected"],
    "checkpoint.": ["approve", "reject", "open", "suspend", "resume", "close"],
    "observation.": ["released", "hospital", "transferred", "lost", "active"],
    "user.": ["enable", "disable"],
}


def _audit_calls():
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "record_audit"
            ):
                yield path, node


def test_every_action_and_detail_a_service_records_has_a_name():
    missing_verbs, missing_keys = set(), set()
    for path, call in _audit_calls():
        if path.name == "audit.py":
            continue
        verb = call.args[1] if len(call.args) > 1 else None
        if (
            isinstance(verb, ast.Constant)
            and isinstance(verb.value, str)
            and verb.value not in VERB_LABELS
        ):
            missing_verbs.add(verb.value)
        for keyword in call.keywords:
            if keyword.arg and keyword.arg != "division_code" and keyword.arg not in DETAIL_LABELS:
                missing_keys.add(f"{keyword.arg} ({path.name})")
    for prefix, values in DYNAMIC.items():
        missing_verbs |= {prefix + v for v in values if prefix + v not in VERB_LABELS}
    assert not missing_verbs, f"actions without a name in audit_labels: {sorted(missing_verbs)}"
    assert not missing_keys, f"details without a name in audit_labels: {sorted(missing_keys)}"


class AuditPageTests(BaseTestCase):
    def test_the_audit_page_shows_names_not_codes(self):
        notice = notice_for(self.league_commander, LEAGUE)
        assign_all(self.league_commander, notice, [LEFT_BANNER], date(2030, 1, 1))
        assignment = Assignment.objects.order_by("id")[0]
        report = directives.implementation_report_submit(
            actor=self.colleague, assignment=assignment, text="完成", status="done"
        )
        directives.implementation_report_return(
            actor=self.league_commander, report=report, comment="请补充"
        )
        user_create(
            actor=self.league_commander,
            username="newstaff",
            password="a-long-demo-password-1",
            display_name="新干事",
            grants=[RoleGrant(Role.STAFF, division(LEFT_BANNER))],
        )
        page = self.client_for(self.league_commander).get("/hq/audit/")
        assert page.status_code == 200
        text = visible_text(page.content.decode())
        for words in ("发布通知", "分解下达措施", "上报落实情况", "退回落实情况报告", "新建用户"):
            assert words in text, words
        assert "阿拉善左旗" in text  # the division by name
        assert "已完成" in text  # a status by its label
        assert "办公室工作人员（阿拉善左旗）" in text or "（阿拉善左旗）" in text  # a role by name
        assert "staff@" not in text and "report.submit" not in text and "{'" not in text
        # The test personas' names are their user names (typed when they were created).
        typed = frozenset({"newstaff", "colleague", "outsider", "officer", "league_commander"})
        assert english_words(text, typed=typed) == [], english_words(text, typed=typed)
