from datetime import date, timedelta

import time_machine
from django.core.exceptions import ValidationError

from fangkong.directives import services
from fangkong.directives.models import Assignment, AssignmentStatus
from fangkong.directives.selectors import notice_matrix
from fangkong.directives.tests.helpers import assign_all, notice_for
from fangkong.divisions.models import Division
from fangkong.test import BAYANHAOTE, LEAGUE, LEFT_BANNER, RIGHT_BANNER, RIGHT_TOWN, BaseTestCase

TODAY = date(2020, 2, 10)


@time_machine.travel("2020-02-10 10:00 +0800", tick=False)
class AssignServiceTests(BaseTestCase):
    def test_a_league_notice_is_assigned_to_every_banner(self):
        notice = notice_for(self.league_commander, LEAGUE)
        banners = [d.code for d in Division.objects.filter(parent__code=LEAGUE)]
        assignments = assign_all(self.league_commander, notice, banners, TODAY)
        assert len(assignments) == 2 * len(banners) == 8
        assert {a.status for a in assignments} == {AssignmentStatus.NOT_STARTED}

    def test_assigning_again_keeps_status_and_changes_the_deadline(self):
        notice = notice_for(self.league_commander, LEAGUE)
        assign_all(self.league_commander, notice, [LEFT_BANNER], TODAY)
        assign_all(self.league_commander, notice, [LEFT_BANNER], TODAY + timedelta(days=2))
        assert Assignment.objects.count() == 2
        assert set(Assignment.objects.values_list("deadline", flat=True)) == {
            TODAY + timedelta(days=2)
        }

    def test_a_division_outside_the_issuers_jurisdiction_is_refused_and_nothing_stored(self):
        notice = notice_for(self.officer, LEFT_BANNER)
        with self.assertRaisesMessage(ValidationError, "不在发文指挥部"):
            assign_all(self.officer, notice, [BAYANHAOTE, RIGHT_TOWN], TODAY)
        assert not Assignment.objects.exists()

    def test_an_outsider_cannot_assign_another_banners_measures(self):
        notice = notice_for(self.officer, LEFT_BANNER)
        with self.assertRaises(ValidationError):
            assign_all(self.outsider, notice, [BAYANHAOTE], TODAY)
        assert not Assignment.objects.exists()


@time_machine.travel("2020-02-10 10:00 +0800", tick=False)
class MatrixTests(BaseTestCase):
    def test_the_matrix_shows_status_and_overdue_per_measure_and_division(self):
        notice = notice_for(self.league_commander, LEAGUE)
        first, second = list(notice.measures.order_by("position"))
        services.measure_assign(
            actor=self.league_commander,
            measures=[first],
            divisions=list(Division.objects.filter(code__in=[LEFT_BANNER, RIGHT_BANNER])),
            deadline=TODAY - timedelta(days=1),
        )
        services.measure_assign(
            actor=self.league_commander,
            measures=[second],
            divisions=list(Division.objects.filter(code=LEFT_BANNER)),
            deadline=TODAY + timedelta(days=1),
        )
        left_first = Assignment.objects.get(measure=first, division_code=LEFT_BANNER)
        services.implementation_report_submit(
            actor=self.colleague, assignment=left_first, text="已完成", status="done"
        )
        matrix = notice_matrix(notice=notice, today=TODAY)
        assert [d.code for d in matrix.divisions] == [LEFT_BANNER, RIGHT_BANNER]
        row1, row2 = matrix.rows
        assert row1.cells[0].assignment.status == "done" and not row1.cells[0].overdue
        assert row1.cells[1].assignment.status == "not_started" and row1.cells[1].overdue
        assert row2.cells[0].assignment.status == "not_started" and not row2.cells[0].overdue
        assert row2.cells[1] is None
        assert matrix.counts == {"not_started": 2, "in_progress": 0, "done": 1}
        assert matrix.overdue == 1

    def test_the_notice_page_draws_the_matrix_and_assigns_by_form(self):
        notice = notice_for(self.league_commander, LEAGUE)
        client = self.client_for(self.league_commander)
        measure_ids = [str(m.pk) for m in notice.measures.all()]
        response = client.post(
            f"/directives/{notice.pk}/",
            {"measures": measure_ids, "divisions": [LEFT_BANNER], "deadline": "2020-02-09"},
        )
        assert response.status_code == 302
        body = client.get(f"/directives/{notice.pk}/").content.decode()
        assert 'data-testid="matrix"' in body
        assert "status-not_started" in body and "overdue" in body

    def test_an_outsider_can_neither_see_nor_post_to_the_notice(self):
        notice = notice_for(self.officer, LEFT_BANNER)
        client = self.client_for(self.outsider)
        response = client.post(
            f"/directives/{notice.pk}/",
            {
                "measures": [notice.measures.first().pk],
                "divisions": [BAYANHAOTE],
                "deadline": "2020-02-12",
            },
        )
        assert response.status_code == 404
        assert client.get(f"/api/v1/directives/notices/{notice.pk}/matrix").status_code == 404
        assert not Assignment.objects.exists()

    def test_the_matrix_api_gives_cells_with_overdue_marks(self):
        notice = notice_for(self.officer, LEFT_BANNER)
        assign_all(self.officer, notice, [BAYANHAOTE], TODAY - timedelta(days=3))
        data = (
            self.client_for(self.officer)
            .get(f"/api/v1/directives/notices/{notice.pk}/matrix")
            .json()
        )
        assert data["divisions"] == [BAYANHAOTE]
        assert data["overdue"] == 2
        assert data["rows"][0]["cells"][0]["overdue"] is True


class AssignApiTests(BaseTestCase):
    url = "/api/v1/directives/assignments"

    def test_the_issuing_hq_assigns_by_api(self):
        notice = notice_for(self.officer, LEFT_BANNER)
        ids = list(notice.measures.values_list("pk", flat=True))
        response = self.client_for(self.officer).post(
            self.url,
            {"measure_ids": ids, "division_codes": [BAYANHAOTE], "deadline": "2020-02-12"},
            content_type="application/json",
        )
        assert response.status_code == 201
        assert [a["division_code"] for a in response.json()] == [BAYANHAOTE, BAYANHAOTE]

    def test_a_division_outside_the_jurisdiction_is_a_422_and_nothing_stored(self):
        notice = notice_for(self.officer, LEFT_BANNER)
        ids = list(notice.measures.values_list("pk", flat=True))
        response = self.client_for(self.officer).post(
            self.url,
            {"measure_ids": ids, "division_codes": [RIGHT_TOWN], "deadline": "2020-02-12"},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert RIGHT_TOWN in response.json()["detail"] or "152922103" in response.json()["detail"]
        assert not Assignment.objects.exists()

    def test_an_outsider_gets_404_for_another_banners_measures(self):
        notice = notice_for(self.officer, LEFT_BANNER)
        ids = list(notice.measures.values_list("pk", flat=True))
        response = self.client_for(self.outsider).post(
            self.url,
            {"measure_ids": ids, "division_codes": [BAYANHAOTE], "deadline": "2020-02-12"},
            content_type="application/json",
        )
        assert response.status_code == 404
        assert not Assignment.objects.exists()
