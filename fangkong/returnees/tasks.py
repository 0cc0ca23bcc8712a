"""Background tasks of returnees (django-tasks; run by ``fangkong db_worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_census_job(job_id: int) -> str:
    from fangkong.returnees.census import census_job_run

    return census_job_run(job_id).status
