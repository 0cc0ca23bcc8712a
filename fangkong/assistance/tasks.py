"""Background work of the assistance app (django-tasks; run by ``db_worker``)."""

from __future__ import annotations

from django_tasks import task

from fangkong.assistance.services.help_requests import help_requests_escalate


@task()
def escalate_help_requests() -> int:
    """Escalate every unanswered help request past its deadline one level up (idempotent)."""
    return help_requests_escalate()
