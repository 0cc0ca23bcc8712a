from __future__ import annotations

from fangkong.accounts.roles import Role
from fangkong.assistance.models import Household, HouseholdMember
from fangkong.assistance.services import households
from fangkong.assistance.tests.factories import (
    EnglishTestCase,
    id_number,
    right_village,
    village,
    xlsx,
)
from fangkong.core.models import AuditEntry
from fangkong.lib.spreadsheet import SpreadsheetError
from fangkong.test import LEFT_BANNER, make_user


class HouseholdImportTests(EnglishTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.caseworker = make_user("cw", Role.CASEWORKER, LEFT_BANNER)
        cls.v = village()

    def rows(self) -> list[list[object]]:
        code = self.v.full_code
        return [
            ["1", "王大", "户主", id_number(1), "13800001111", code, "低保", 560, "2020-06-30", "1"],  # noqa: E501
            ["1", "王小", "子女", id_number(2), "", None, None, None, None, None],
            ["2", "李二", "户主", id_number(3), "", code, "特困", "780.5", None, "二号"],
        ]  # fmt: skip

    def test_it_imports_heads_and_members_from_the_roster(self):
        result = households.households_import(actor=self.caseworker, stream=xlsx(self.rows()))
        assert (result.created, result.updated, result.members) == (2, 0, 1)
        head = Household.objects.get(head_id_number=id_number(1))
        assert head.category == "dibao"
        assert head.division_code == self.v.code
        assert str(head.next_review_date) == "2020-06-30"
        assert HouseholdMember.objects.get(household=head).name == "王小"
        assert AuditEntry.objects.filter(verb="household.import").count() == 1

    def test_importing_again_updates_instead_of_duplicating(self):
        households.households_import(actor=self.caseworker, stream=xlsx(self.rows()))
        result = households.households_import(actor=self.caseworker, stream=xlsx(self.rows()))
        assert (result.created, result.updated) == (0, 2)
        assert Household.objects.count() == 2
        assert HouseholdMember.objects.count() == 1

    def test_errors_name_row_and_column_and_nothing_is_written(self):
        rows = self.rows()
        bad = id_number(5)
        rows[2][3] = bad[:-1] + ("0" if bad[-1] != "0" else "1")
        rows[0][6] = "富裕"
        rows.append(["9", "张三", "子女", "", "", None, None, None, None, None])
        with self.assertRaises(SpreadsheetError) as caught:
            households.households_import(actor=self.caseworker, stream=xlsx(rows))
        errors = caught.exception.messages
        assert "row 4, column 身份证号: ID number check digit is wrong" in errors
        assert any(e.startswith("row 2, column 类别: unknown category") for e in errors)
        assert "row 5, column 户编号: household 9 has no head (户主) row" in errors
        assert Household.objects.count() == 0

    def test_a_division_outside_the_jurisdiction_is_refused(self):
        rows = self.rows()
        rows[2][5] = right_village().code
        with self.assertRaises(SpreadsheetError) as caught:
            households.households_import(actor=self.caseworker, stream=xlsx(rows))
        assert "outside your jurisdiction" in caught.exception.messages[0]
        assert caught.exception.messages[0].startswith("row 4, column 区划代码")
        assert Household.objects.count() == 0

    def test_the_same_id_number_twice_is_refused(self):
        rows = self.rows()
        rows[2][3] = id_number(1)
        with self.assertRaises(SpreadsheetError) as caught:
            households.households_import(actor=self.caseworker, stream=xlsx(rows))
        assert "row 4, column 身份证号: the same ID number is on row 2" in caught.exception.messages

    def test_a_file_that_is_not_xlsx_is_refused(self):
        import io

        with self.assertRaises(SpreadsheetError) as caught:
            households.households_import(
                actor=self.caseworker, stream=io.BytesIO(b"not a workbook")
            )
        assert "not a readable xlsx" in caught.exception.messages[0]

    def test_the_import_page_shows_the_errors(self):
        client = self.client_for(self.caseworker)
        rows = self.rows()
        rows[0][4] = "12345"
        upload = xlsx(rows)
        upload.name = "roster.xlsx"
        response = client.post("/assistance/households/import/", {"file": upload})
        assert response.status_code == 200
        assert "row 2, column 联系电话" in response.content.decode()
        assert Household.objects.count() == 0
        upload = xlsx(self.rows())
        upload.name = "roster.xlsx"
        response = client.post("/assistance/households/import/", {"file": upload})
        assert response.status_code == 302
        assert Household.objects.count() == 2

    def test_lists_mask_id_numbers_and_the_outsider_sees_nothing(self):
        households.households_import(actor=self.caseworker, stream=xlsx(self.rows()))
        body = self.client_for(self.colleague).get("/assistance/").content.decode()
        assert "王大" in body
        assert id_number(1) not in body
        assert id_number(1)[:6] + "********" + id_number(1)[-4:] in body
        household = Household.objects.get(head_id_number=id_number(1))
        outsider = self.client_for(self.outsider)
        assert "王大" not in outsider.get("/assistance/").content.decode()
        assert outsider.get(f"/assistance/households/{household.pk}/").status_code == 404
        assert outsider.get(f"/api/v1/assistance/households/{household.pk}").status_code == 404
        assert outsider.get("/assistance/households/import/").status_code == 404

    def test_an_unmasked_view_is_audited(self):
        households.households_import(actor=self.caseworker, stream=xlsx(self.rows()))
        household = Household.objects.get(head_id_number=id_number(1))
        body = self.client_for(self.officer).get(f"/assistance/households/{household.pk}/")
        assert id_number(1) in body.content.decode()
        assert AuditEntry.objects.filter(verb="household.view_personal").count() == 1
