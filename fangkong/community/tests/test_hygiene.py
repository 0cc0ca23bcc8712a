"""The patriotic hygiene campaign: campaigns, tasks, weighted inspections, rectification,
re-inspection, ranking and overdue tasks."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from fangkong.community.forms import CampaignForm
from fangkong.community.models import HygieneTask, Inspection
from fangkong.community.services import hygiene
from fangkong.core.models import DailyCount
from fangkong.core.rollups import figures, rebuild
from fangkong.test import BAYANHAOTE, LEFT_BANNER, RIGHT_TOWN, BaseTestCase, division

from .helpers import jpeg_with_exif, sumu_worker

TODAY = date(2020, 2, 10)
CHECKLIST = [("垃圾清运", 50), ("消毒记录", 30), ("公厕卫生", 20)]
HYGIENE = [
    "community.hygiene.inspections",
    "community.hygiene.score_tenths",
    "community.hygiene.tasks_open",
]


def _campaign(actor, **extra):
    fields: dict[str, Any] = {
        "name": "冬春爱国卫生运动",
        "starts_on": TODAY,
        "ends_on": TODAY + timedelta(days=60),
        "division": division(LEFT_BANNER),
        "checklist": CHECKLIST,
    }
    fields.update(extra)
    return hygiene.campaign_create(actor=actor, **fields)


def _task(actor, campaign, code=BAYANHAOTE, **extra):
    fields: dict[str, Any] = {
        "area": "rubbish",
        "title": "镇区垃圾清理",
        "division": division(code),
        "responsible_name": "李四",
        "due_on": TODAY + timedelta(days=7),
    }
    fields.update(extra)
    return hygiene.task_create(actor=actor, campaign=campaign, **fields)


def _results(campaign, *passed_labels):
    return {item.pk: item.label in passed_labels for item in campaign.checklist.all()}


@time_machine.travel("2020-02-10 10:00 +0800", tick=False)
class HygieneServiceTests(BaseTestCase):
    def test_problems_lead_to_a_deadline_then_a_reinspection_passes(self):
        campaign = _campaign(self.colleague)
        worker = sumu_worker()
        task = _task(self.colleague, campaign)
        first = hygiene.inspection_record(
            actor=worker,
            task=task,
            results=_results(campaign, "垃圾清运", "公厕卫生"),
            problems="消毒记录缺失",
            rectification_due=TODAY + timedelta(days=3),
        )
        assert first.score == Decimal("70.0") and not first.passed
        task.refresh_from_db()
        assert task.status == "rectifying" and task.rectification_due == TODAY + timedelta(days=3)
        second = hygiene.inspection_record(
            actor=worker, task=task, results=_results(campaign, "垃圾清运", "消毒记录", "公厕卫生")
        )
        assert second.is_reinspection and second.passed and second.score == Decimal("100.0")
        task.refresh_from_db()
        assert task.status == "passed" and task.rectification_due is None
        with pytest.raises(ValidationError, match="already passed"):
            hygiene.inspection_record(actor=worker, task=task, results=_results(campaign))
        got = figures([LEFT_BANNER], HYGIENE, on=TODAY)
        assert got["community.hygiene.inspections"]["total"] == 2
        assert got["community.hygiene.score_tenths"]["total"] == 1700
        assert got["community.hygiene.tasks_open"]["total"] == 0
        rebuild(HYGIENE)
        assert figures([LEFT_BANNER], HYGIENE, on=TODAY) == got

    def test_a_failed_inspection_needs_a_deadline_and_every_item_answered(self):
        campaign = _campaign(self.colleague)
        task = _task(self.colleague, campaign)
        with pytest.raises(ValidationError) as exc:
            hygiene.inspection_record(actor=self.colleague, task=task, results=_results(campaign))
        assert "rectification_due" in exc.value.message_dict
        partial = {campaign.checklist.first().pk: True}
        with pytest.raises(ValidationError, match="Answer every checklist item"):
            hygiene.inspection_record(actor=self.colleague, task=task, results=partial)
        with pytest.raises(ValidationError) as exc:
            hygiene.inspection_record(
                actor=self.colleague,
                task=task,
                results=_results(campaign),
                rectification_due=TODAY + timedelta(days=365),
            )
        assert "rectification_due" in exc.value.message_dict
        assert not Inspection.objects.exists()

    def test_the_checklist_and_dates_are_validated(self):
        with pytest.raises(ValidationError):
            _campaign(self.colleague, checklist=[("垃圾", 0)])
        with pytest.raises(ValidationError):
            _campaign(self.colleague, checklist=[])
        with pytest.raises(ValidationError):
            _campaign(self.colleague, ends_on=TODAY + timedelta(days=5000))
        campaign = _campaign(self.colleague)
        with pytest.raises(ValidationError) as exc:
            _task(self.colleague, campaign, due_on=TODAY + timedelta(days=90))
        assert "due_on" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            _task(self.colleague, campaign, code=RIGHT_TOWN)
        assert "division" in exc.value.message_dict
        form = CampaignForm(
            {
                "name": "x",
                "division": LEFT_BANNER,
                "starts_on": "2020-02-10",
                "ends_on": "2020-03-10",
                "pass_score": "80",
                "checklist": "垃圾清运 | 30\n消毒 | lots",
            }
        )
        assert not form.is_valid()
        assert "line 2" in form.errors["checklist"][0]

    def test_ranking_orders_banners_then_sumu_by_score_and_counts_overdue(self):
        campaign = _campaign(self.league_commander.__class__.objects.get(username="colleague"))
        worker = sumu_worker()
        good = _task(self.colleague, campaign, code=BAYANHAOTE)
        weak = _task(self.colleague, campaign, code="152921102", title="温都尔勒图镇公厕")
        _task(
            self.colleague,
            campaign,
            code="152921105",
            title="巴润别立镇市场",
            due_on=TODAY + timedelta(days=1),
        )
        hygiene.inspection_record(
            actor=worker, task=good, results=_results(campaign, "垃圾清运", "消毒记录", "公厕卫生")
        )
        hygiene.inspection_record(
            actor=self.colleague,
            task=weak,
            results=_results(campaign, "公厕卫生"),
            rectification_due=TODAY + timedelta(days=2),
        )
        with time_machine.travel("2020-02-14 10:00 +0800", tick=False):
            from fangkong.community import selectors

            rows = selectors.campaign_ranking(actor=self.officer, campaign=campaign)
            overdue = list(selectors.task_list(actor=self.officer, overdue_only=True))
        assert [r.code for r in rows] == [LEFT_BANNER, BAYANHAOTE, "152921102", "152921105"]
        assert rows[0].average == 60.0 and rows[0].tasks == 3 and rows[0].overdue == 2
        assert rows[1].average == 100.0
        assert {t.title for t in overdue} == {"温都尔勒图镇公厕", "巴润别立镇市场"}


@time_machine.travel("2020-02-10 10:00 +0800", tick=False)
class HygienePageTests(BaseTestCase):
    def test_a_worker_inspects_on_the_page_with_a_photo(self):
        campaign = _campaign(self.colleague)
        task = _task(self.colleague, campaign)
        worker = sumu_worker()
        client = self.client_for(worker)
        items = list(campaign.checklist.all())
        data: dict[str, Any] = {
            f"item_{items[0].pk}": "on",
            "problems": "<i>垃圾堆积</i>",
            "rectification_due": "2020-02-12",
        }
        data["photos"] = [jpeg_with_exif()]
        response = client.post(f"/community/hygiene/tasks/{task.pk}/", data)
        assert response.status_code == 302
        inspection = Inspection.objects.get()
        assert inspection.score == Decimal("50.0") and inspection.photos.count() == 1
        page = client.get(f"/community/hygiene/tasks/{task.pk}/").content
        assert b"&lt;i&gt;" in page
        assert client.get(f"/community/hygiene/{campaign.pk}/").status_code == 200

    def test_campaigns_and_tasks_are_created_on_the_pages(self):
        client = self.client_for(self.colleague)
        response = client.post(
            "/community/hygiene/new/",
            {
                "name": "春季卫生",
                "division": LEFT_BANNER,
                "starts_on": "2020-02-10",
                "ends_on": "2020-03-31",
                "pass_score": "85",
                "checklist": "垃圾清运 | 40\n消毒 | 60",
            },
        )
        assert response.status_code == 302
        campaign_id = int(response["Location"].rstrip("/").split("/")[-1])
        response = client.post(
            f"/community/hygiene/{campaign_id}/tasks/new/",
            {
                "area": "water",
                "title": "水源地巡查",
                "division": BAYANHAOTE,
                "responsible_name": "赵六",
                "due_on": "2020-02-20",
            },
        )
        assert response.status_code == 302
        assert HygieneTask.objects.get().area == "water"

    def test_the_outsider_gets_not_found(self):
        campaign = _campaign(self.colleague)
        task = _task(self.colleague, campaign)
        outsider = self.client_for(self.outsider)
        assert outsider.get(f"/community/hygiene/{campaign.pk}/").status_code == 404
        assert outsider.get(f"/community/hygiene/tasks/{task.pk}/").status_code == 404
        assert outsider.post(f"/community/hygiene/tasks/{task.pk}/", {}).status_code == 404
        assert outsider.get(f"/api/v1/community/campaigns/{campaign.pk}/ranking").status_code == 404
        assert (
            outsider.post(
                f"/api/v1/community/tasks/{task.pk}/inspections",
                {"results": {}},
                content_type="application/json",
            ).status_code
            == 404
        )

    def test_the_checklist_can_change_until_the_first_inspection(self):
        campaign = _campaign(self.colleague)
        client = self.client_for(self.colleague)
        page = client.post(
            f"/community/hygiene/{campaign.pk}/", {"checklist": "垃圾清运 | 70\n消毒 | 30"}
        )
        assert page.status_code == 302
        assert [(i.label, i.weight) for i in campaign.checklist.all()] == [
            ("垃圾清运", 70),
            ("消毒", 30),
        ]
        task = _task(self.colleague, campaign)
        hygiene.inspection_record(
            actor=self.colleague, task=task, results=_results(campaign, "垃圾清运", "消毒")
        )
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        refused = client.put(
            f"/api/v1/community/campaigns/{campaign.pk}/checklist",
            {"checklist": [{"label": "x", "weight": 1}]},
            content_type="application/json",
        )
        assert refused.status_code == 422 and "no longer change" in refused.json()["detail"]
        assert campaign.checklist.count() == 2
        outsider = self.client_for(self.outsider)
        assert (
            outsider.post(f"/community/hygiene/{campaign.pk}/", {"checklist": "x | 1"}).status_code
            == 404
        )
        officer = self.client_for(self.officer)
        assert (
            officer.post(f"/community/hygiene/{campaign.pk}/", {"checklist": "x | 1"}).status_code
            == 404
        )

    def test_inspection_photos_are_added_through_the_api(self):
        campaign = _campaign(self.colleague)
        task = _task(self.colleague, campaign)
        inspection = hygiene.inspection_record(
            actor=self.colleague,
            task=task,
            results=_results(campaign, "垃圾清运", "消毒记录", "公厕卫生"),
        )
        url = f"/api/v1/community/inspections/{inspection.pk}/photos"
        ok = self.client_for(self.colleague).post(url, {"photos": [jpeg_with_exif()]})
        assert ok.status_code == 201
        assert inspection.photos.count() == 1
        assert (
            self.client_for(self.outsider).post(url, {"photos": [jpeg_with_exif()]}).status_code
            == 404
        )

    def test_the_api_runs_a_campaign(self):
        client = self.client_for(self.colleague)
        created = client.post(
            "/api/v1/community/campaigns",
            {
                "name": "API 卫生",
                "division": LEFT_BANNER,
                "starts_on": "2020-02-10",
                "ends_on": "2020-03-10",
                "checklist": [{"label": "垃圾", "weight": 60}, {"label": "消毒", "weight": 40}],
            },
            content_type="application/json",
        )
        assert created.status_code == 201
        body = created.json()
        task = client.post(
            f"/api/v1/community/campaigns/{body['id']}/tasks",
            {
                "area": "markets",
                "title": "农贸市场",
                "division": BAYANHAOTE,
                "responsible_name": "钱七",
                "due_on": "2020-02-15",
            },
            content_type="application/json",
        ).json()
        first, second = body["checklist"]
        inspected = client.post(
            f"/api/v1/community/tasks/{task['id']}/inspections",
            {"results": {str(first["id"]): True, str(second["id"]): True}},
            content_type="application/json",
        )
        assert inspected.status_code == 201
        assert inspected.json()["score"] == 100.0 and inspected.json()["task_status"] == "passed"
        ranking = client.get(f"/api/v1/community/campaigns/{body['id']}/ranking").json()
        assert ranking[0]["code"] == LEFT_BANNER and ranking[0]["average"] == 100.0


class HygieneScoreAverageTests(BaseTestCase):
    @time_machine.travel("2020-02-10 09:00 +0800", tick=False)
    def test_the_average_score_equals_a_direct_computation_after_random_inspections(self):
        import random

        from fangkong.community import metrics
        from fangkong.core import rollups
        from fangkong.test import LEAGUE, RIGHT_BANNER

        rng = random.Random(12)
        # Weights 1:1:1 give scores with a decimal (33.3, 66.7): the sum is kept in tenths.
        campaign = _campaign(self.colleague, checklist=[("垃圾", 1), ("消毒", 1), ("公厕", 1)])
        worker = sumu_worker()
        places = [BAYANHAOTE, "152921110200", "152921110201"]
        labels = ["垃圾", "消毒", "公厕"]
        days = [TODAY + timedelta(days=n) for n in range(3)]
        for day in days:
            with time_machine.travel(f"{day} 10:00 +0800", tick=False):
                for _ in range(8):
                    open_tasks = list(HygieneTask.objects.exclude(status="passed"))
                    if not open_tasks or rng.random() < 0.3:
                        open_tasks.append(_task(self.colleague, campaign, code=rng.choice(places)))
                    task = rng.choice(open_tasks)
                    passed = [label for label in labels if rng.random() < 0.6]
                    failing = len(passed) < 3 or rng.random() < 0.2
                    hygiene.inspection_record(
                        actor=worker,
                        task=task,
                        results=_results(campaign, *passed),
                        problems="垃圾未清" if failing else "",
                        rectification_due=day + timedelta(days=2) if failing else None,
                    )
        average = rollups.STATISTICS[metrics.HYGIENE_SCORE_AVERAGE]
        assert Inspection.objects.filter(score__in=[Decimal("33.3"), Decimal("66.7")]).exists()
        for key in [LEAGUE, LEFT_BANNER, BAYANHAOTE, "152921110201", RIGHT_BANNER]:
            for day in days:
                figs = rollups.figures([key], average.metrics, on=day)
                rows = [
                    (timezone.localdate(i.created_at), i.score)
                    for i in Inspection.objects.within(key)
                ]
                for which, chosen in (
                    ("today", [s for d, s in rows if d == day]),
                    ("total", [s for d, s in rows if d <= day]),
                ):
                    got = average.of(figs, which)
                    if not chosen:
                        assert got is None
                    else:
                        exact = sum(chosen, Decimal(0)) / len(chosen)
                        assert abs(Decimal(str(got)) - exact) < Decimal("1e-9"), (key, day)
        before = {
            (r.metric, r.division_code, r.day): r.value
            for r in DailyCount.objects.filter(metric__in=average.metrics)
        }
        DailyCount.objects.filter(metric__in=average.metrics).delete()
        rollups.rebuild(average.metrics)
        assert {
            (r.metric, r.division_code, r.day): r.value
            for r in DailyCount.objects.filter(metric__in=average.metrics)
        } == before


class ScoreTenthsMigrationTests(BaseTestCase):
    @time_machine.travel("2020-02-10 10:00 +0800", tick=False)
    def test_the_migration_replaces_the_rounded_points_with_the_exact_sum(self):
        import importlib

        from django.apps import apps

        from fangkong.core.models import RunningCount
        from fangkong.core.rollups import bump

        campaign = _campaign(self.colleague, checklist=[("垃圾", 1), ("消毒", 1), ("公厕", 1)])
        task = _task(self.colleague, campaign)
        hygiene.inspection_record(
            actor=sumu_worker(),
            task=task,
            results=_results(campaign, "垃圾", "消毒"),
            problems="公厕脏",
            rectification_due=TODAY + timedelta(days=2),
        )
        # As an older version left them: the sum in rounded points, no tenths.
        DailyCount.objects.filter(metric="community.hygiene.score_tenths").delete()
        RunningCount.objects.filter(metric="community.hygiene.score_tenths").delete()
        bump("community.hygiene.score_points", BAYANHAOTE, TODAY, 67)
        migration = importlib.import_module(
            "fangkong.community.migrations.0002_hygiene_score_tenths"
        )
        migration.fill(apps, None)
        got = figures([LEFT_BANNER], ["community.hygiene.score_tenths"], on=TODAY)
        assert got["community.hygiene.score_tenths"]["total"] == 667
        assert not DailyCount.objects.filter(metric="community.hygiene.score_points").exists()
        assert not RunningCount.objects.filter(metric="community.hygiene.score_points").exists()
