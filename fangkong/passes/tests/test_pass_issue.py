from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangkong.core.models import AuditEntry
from fangkong.core.rollups import figures
from fangkong.lib import signing
from fangkong.passes import services, trust
from fangkong.passes.models import GreenPass
from fangkong.passes.rollups import day
from fangkong.passes.tests.helpers import DRIVER_ID, T0, PassesTestCase
from fangkong.test import LEFT_BANNER


class PassIssueTests(PassesTestCase):
    def test_an_issued_pass_is_signed_in_the_design_format_and_verifies(self) -> None:
        green = self.issue()
        assert green.code.startswith("FK1:")
        result = signing.verify_pass(green.code, trust.build(at=T0), at=T0 + timedelta(hours=1))
        assert result.valid, result.reason
        assert result.serial == green.serial
        assert result.issuer == LEFT_BANNER
        assert result.claims == {
            "v": 1,
            "plate": "蒙M12345",
            "vehicle_type": "冷藏车",
            "cargo": "daily",
            "origin": "152921",
            "destination": "银川市",
            "driver_name": "张三",
            "driver_id_last4": DRIVER_ID[-4:],
            "phone_last4": "5678",
        }

    def test_the_full_id_number_never_goes_into_the_code(self) -> None:
        green = self.issue()
        result = signing.verify_pass(green.code, trust.build(at=T0), at=T0)
        assert DRIVER_ID not in repr(result.claims)

    def test_validity_defaults_to_7_days(self) -> None:
        green = services.pass_create_full(
            actor=self.transport,
            division=self.left,
            plate="蒙M12345",
            cargo="medical",
            origin="a",
            destination="b",
            now=T0,
        )
        assert green.valid_until - green.valid_from == timedelta(days=7)

    def test_validity_is_at_most_30_days(self) -> None:
        assert self.issue(days=30).valid_until == T0 + timedelta(days=30)
        with pytest.raises(ValidationError, match="30"):
            self.issue("蒙M12346", days=31)
        with pytest.raises(ValidationError):
            self.issue("蒙M12347", days=0)

    def test_it_rejects_a_bad_plate_and_writes_nothing(self) -> None:
        with pytest.raises(ValidationError, match="plate"):
            self.issue("蒙1234")
        assert not GreenPass.objects.exists()

    def test_it_accepts_a_new_energy_plate(self) -> None:
        assert self.issue("蒙MD12345").vehicle.plate == "蒙MD12345"

    def test_it_rejects_an_unknown_cargo_category(self) -> None:
        with pytest.raises(ValidationError, match="cargo"):
            services.pass_create_full(
                actor=self.transport,
                division=self.left,
                plate="蒙M12345",
                cargo="weapons",
                origin="a",
                destination="b",
                now=T0,
            )
        assert not GreenPass.objects.exists()

    def test_a_driver_with_a_wrong_id_number_check_digit_is_refused(self) -> None:
        with pytest.raises(ValidationError):
            services.pass_create_full(
                actor=self.transport,
                division=self.left,
                plate="蒙M12345",
                driver_name="张三",
                driver_id_number="152921199001010014",
                cargo="daily",
                origin="a",
                destination="b",
                now=T0,
            )
        assert not GreenPass.objects.exists()

    def test_an_outsider_cannot_issue_in_another_hqs_name(self) -> None:
        with pytest.raises(PermissionDenied):
            services.pass_create_full(
                actor=self.other_transport,
                division=self.left,
                plate="蒙M12345",
                cargo="daily",
                origin="a",
                destination="b",
                now=T0,
            )

    def test_a_commander_may_see_but_not_issue(self) -> None:
        with pytest.raises(PermissionDenied):
            self.issue(actor=self.officer)

    def test_an_hq_without_a_key_is_told_how_to_make_one(self) -> None:
        town = self.left.children.first()
        assert town is not None
        with pytest.raises(ValidationError, match="keys create --division"):
            services.pass_create_full(
                actor=self.transport,
                division=town,
                plate="蒙M12345",
                cargo="daily",
                origin="a",
                destination="b",
                now=T0,
            )

    def test_issuing_is_audited_and_counted(self) -> None:
        green = self.issue()
        assert AuditEntry.objects.filter(verb="passes.issue", target_id=str(green.pk)).exists()
        on = day(T0)
        got = figures([LEFT_BANNER], ["passes.issued", "passes.valid"], on=on)
        assert got["passes.issued"]["today"] == 1
        assert got["passes.valid"]["total"] == 1
        after = figures([LEFT_BANNER], ["passes.valid"], on=day(T0 + timedelta(days=8)))
        assert after["passes.valid"]["total"] == 0

    def test_serials_are_unique(self) -> None:
        serials = {self.issue(f"蒙M1234{n}").serial for n in range(5)}
        assert len(serials) == 5
