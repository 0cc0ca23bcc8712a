"""Background work of alerts (django-tasks; run by ``fangkong db_worker``)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task


@task()
def deliver_outbox() -> dict[str, int]:
    """Send every outbox row that is due. When it sent anything, a follow-up run is queued for
    when a row this run held could be taken over, should this worker die mid-send."""
    from fangkong.alerts.outbox import outbox_send_due

    counts = outbox_send_due()
    if counts:
        later = timezone.now() + timedelta(seconds=settings.FANGKONG_SMS_STALE_SECONDS + 1)
        deliver_outbox.using(run_after=later).enqueue()
    return counts


@task()
def run_sweep(name: str, reschedule: bool = True) -> int:
    """Run one registered sweep now and, unless told not to, queue its next run."""
    from fangkong.alerts.scheduled import sweep_of

    sweep = sweep_of(name)
    now = timezone.now()
    raised = sweep.run(now)
    if reschedule:
        run_sweep.using(run_after=sweep.next_run(now)).enqueue(name)
    return raised
