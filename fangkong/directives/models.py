"""Notices, their measures, the assignment of each measure to divisions, and 落实情况 reports."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.roles import Perm
from fangkong.core.jurisdiction import JurisdictionQuerySet
from fangkong.core.models import TimeStampedModel


class NoticeKind(models.TextChoices):
    NOTICE = "notice", _("Notice")
    BULLETIN = "bulletin", _("Bulletin")
    PUBLICITY = "publicity", _("Publicity")


class Notice(TimeStampedModel):
    """A notice, bulletin or publicity item issued by an HQ (its division)."""

    kind = models.CharField(
        _("kind"), max_length=12, choices=NoticeKind.choices, default=NoticeKind.NOTICE
    )
    title = models.CharField(_("title"), max_length=300)
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("issuing HQ"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    issuer_name = models.CharField(_("issuer as written"), max_length=200, blank=True)
    doc_number = models.CharField(_("document number"), max_length=100, blank=True)
    date = models.DateField(_("date"))
    body = models.TextField(_("body"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    cites = models.JSONField(_("cited documents"), default=list, blank=True)
    public = models.BooleanField(_("public"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ("-date", "-id")
        indexes = [models.Index(fields=("public", "date"))]

    def __str__(self) -> str:
        return self.title


class NoticeAttachment(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="notices/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("notice attachment")
        verbose_name_plural = _("notice attachments")
        ordering = ("id",)

    def __str__(self) -> str:
        return self.name


class Measure(models.Model):
    """One numbered measure of a notice (一、二、…)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="measures")
    position = models.PositiveSmallIntegerField(_("position"))
    number = models.CharField(_("number"), max_length=8)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ("notice", "position")
        constraints = [
            models.UniqueConstraint(fields=("notice", "position"), name="measure_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.number}、{self.title}"


class AssignmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class Assignment(TimeStampedModel):
    """A measure to be carried out by one division (its HQ) by a deadline."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="assignments")
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.NOT_STARTED,
    )
    returned = models.BooleanField(_("sent back"), default=False)

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ("measure", "division_code")
        constraints = [
            models.UniqueConstraint(
                fields=("measure", "division"), name="assignment_unique_measure_division"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure} → {self.division_code}"

    def is_overdue_on(self, day: date) -> bool:
        return self.status != AssignmentStatus.DONE and self.deadline < day

    def is_reported_by(self, user: Any) -> bool:
        """Only the assigned division's own HQ reports its 落实情况 (not the HQs above it)."""
        return bool(user.is_authenticated) and self.division_code in user.own_division_codes(
            Perm.DIRECTIVES_REPORT
        )


class ReportState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Sent back")


class ImplementationReport(TimeStampedModel):
    """落实情况: what an assigned HQ reports on a measure."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reports")
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    text = models.TextField(_("what was done"))
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=AssignmentStatus.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=ReportState.choices, default=ReportState.SUBMITTED
    )
    return_comment = models.TextField(_("comment when sent back"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("implementation report")
        verbose_name_plural = _("implementation reports")
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=Q(state="submitted") | ~Q(return_comment=""),
                name="report_returned_has_comment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment}: {self.get_status_display()}"


class ReportAttachment(models.Model):
    report = models.ForeignKey(
        ImplementationReport, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")
        ordering = ("id",)

    def __str__(self) -> str:
        return self.name


class ReportFormat(models.TextChoices):
    XLSX = "xlsx", "xlsx"
    PDF = "pdf", "PDF"


class DailyReportFile(TimeStampedModel):
    """A daily report (日报) made by the evening task, kept for download."""

    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("division code"), max_length=12, db_index=True)
    day = models.DateField(_("date"))
    format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices)
    file = models.FileField(_("file"), upload_to="daily_reports/%Y/%m/")

    objects: ClassVar[JurisdictionQuerySet] = JurisdictionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("daily report file")
        verbose_name_plural = _("daily report files")
        ordering = ("-day", "division_code", "format")
        constraints = [
            models.UniqueConstraint(
                fields=("division_code", "day", "format"), name="daily_report_file_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.division_code} {self.day} {self.format}"
