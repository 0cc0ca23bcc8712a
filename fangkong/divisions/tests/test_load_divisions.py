from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from fangkong.core.models import AuditEntry
from fangkong.divisions.models import Division
from fangkong.divisions.services import DivisionFileError, divisions_load
from fangkong.test import BaseTestCase

ROOT = Path(__file__).resolve().parents[3]
CSV = ROOT / "data" / "alxa_divisions.csv"
HEADER = "code,name,level,parent_code\n"


class LoadDivisionsTests(BaseTestCase):
    def run_command(self, *args: str) -> str:
        out = StringIO()
        call_command("load_divisions", *args, stdout=out)
        return out.getvalue()

    def test_the_real_file_holds_exactly_308_divisions_in_four_levels(self):
        assert Division.objects.count() == 308
        levels = dict(Division.objects.values_list("level").annotate().values_list("level", "id"))
        assert set(levels) == {"league", "county", "township", "village"}
        assert Division.objects.filter(level="village").count() == 264
        assert Division.objects.get(code="1529").parent is None

    def test_a_second_load_changes_nothing(self):
        before = list(Division.objects.order_by("code").values_list("code", "name", "parent_id"))
        output = self.run_command(str(CSV))
        assert "0 created, 0 renamed, 0 moved, 308 unchanged" in output
        after = list(Division.objects.order_by("code").values_list("code", "name", "parent_id"))
        assert before == after

    def test_codes_keys_and_short_names_follow_the_design(self):
        village = Division.objects.get(code="152921102201")
        assert village.full_code == "152921102201"
        assert village.name == "塔布呼都格嘎查村民委员会"
        assert village.short_name == "塔布呼都格嘎查"
        assert village.parent.code == "152921102"
        league = Division.objects.get(code="1529")
        assert league.full_code == "152900000000"
        assert Division.objects.get(code="152921402").short_name == "额鲁特街道"
        community = Division.objects.filter(name__endswith="社区居委会").first()
        assert community is not None and community.short_name.endswith("社区")

    def test_a_rename_is_applied_and_audited(self):
        text = HEADER + "152921102201,塔布呼都格新嘎查村民委员会,village,152921102\n"
        result = divisions_load(text=text, actor=self.officer)
        assert (result.renamed, result.created, result.unchanged) == (1, 0, 0)
        village = Division.objects.get(code="152921102201")
        assert village.short_name == "塔布呼都格新嘎查"
        assert village.initials == "tbhdgxgc"
        entry = AuditEntry.objects.get(verb="divisions.load", actor=self.officer)
        assert entry.extra["renamed"] == 1
        assert entry.actor == self.officer

    def test_a_new_division_under_a_loaded_parent_is_created(self):
        text = HEADER + "152921102299,新建嘎查村民委员会,village,152921102200\n"
        with pytest.raises(DivisionFileError, match="line 2"):
            divisions_load(text=text)  # parent is a village: not above
        text = HEADER + "152921102299,新建嘎查村民委员会,village,152921102000\n"
        result = divisions_load(text=text)
        assert result.created == 1
        assert Division.objects.get(code="152921102299").parent.code == "152921102"


REFUSALS = [
    (
        "missing parent",
        HEADER
        + "159900,测试盟,league,150000\n159921,阿拉善左旗,county,159900\n"
        + "159999999,无主镇,township,159999\n",
        "line 4: parent 159999",
    ),
    (
        "duplicate code",
        HEADER
        + "159900,测试盟,league,150000\n159921,甲旗,county,159900\n159921,乙旗,county,159900\n",
        "line 4: duplicate code 159921 (first seen on line 3)",
    ),
    (
        "unknown level",
        HEADER + "159900,测试盟,league,150000\n159921,甲旗,prefecture,159900\n",
        "line 3: unknown level 'prefecture'",
    ),
    (
        "malformed row",
        HEADER + "159900,测试盟,league,150000\n159921,甲旗,county\n",
        "line 3: expected 4 fields, found 3",
    ),
    (
        "bad code",
        HEADER + "159900,测试盟,league,150000\n15992X,甲旗,county,159900\n",
        "line 3: division code '15992X' must contain digits only",
    ),
    (
        "code not fitting its level",
        HEADER + "159900,测试盟,league,150000\n159921102,甲镇,county,159900\n",
        "line 3: code 159921102 does not fit level county",
    ),
    ("wrong header", "id,name,level,parent\n1599,x,league,15\n", "line 1: the header must be"),
    ("empty name", HEADER + "159900,,league,150000\n", "line 2: the name is empty"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "text", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_bad_file_is_refused_naming_the_line_and_loads_nothing(case, text, message, tmp_path):
    path = tmp_path / "divisions.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as excinfo:
        call_command("load_divisions", str(path), stdout=StringIO())
    assert message in str(excinfo.value)
    assert "Nothing was loaded" in str(excinfo.value)
    assert Division.objects.count() == 308
    assert not Division.objects.filter(code__startswith="1599").exists()
    assert not AuditEntry.objects.filter(verb="divisions.load", extra__source=path.name).exists()


@pytest.mark.django_db
def test_a_refusal_after_valid_rows_rolls_back_those_rows_too():
    text = (
        HEADER
        + "159900,测试盟,league,150000\n159921,阿拉善左旗,county,159900\n159921,x,county,1599\n"
    )
    with pytest.raises(DivisionFileError):
        divisions_load(text=text)
    assert Division.objects.count() == 308
    assert not Division.objects.filter(code__startswith="1599").exists()


@pytest.mark.django_db
def test_the_roots_parent_may_lie_outside_the_file_but_only_for_the_root():
    ok = HEADER + "159900,测试盟,league,150000\n159921,阿拉善左旗,county,159900\n"
    assert divisions_load(text=ok).created == 2
    Division.objects.filter(code="159921").delete()
    Division.objects.filter(code="1599").delete()
    two_roots = HEADER + "159900,测试盟,league,150000\n159800,别的盟,league,150000\n"
    with pytest.raises(DivisionFileError, match="line 3"):
        divisions_load(text=two_roots)


@pytest.mark.django_db
def test_a_missing_file_gets_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("load_divisions", str(tmp_path / "nope.csv"))
