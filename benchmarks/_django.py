"""Set up Django for a benchmark: a throwaway SQLite database, or FANGKONG_DATABASE_URL."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup() -> str:
    """Configure, migrate and load the divisions; returns the database vendor."""
    sys.path.insert(0, str(ROOT))
    if not os.environ.get("FANGKONG_DATABASE_URL"):
        os.environ["FANGKONG_VAR_DIR"] = tempfile.mkdtemp(prefix="fangkong-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from fangkong.divisions.models import Division
    from fangkong.divisions.services import divisions_load_file

    if not Division.objects.exists():
        divisions_load_file(path=ROOT / "data" / "alxa_divisions.csv")
    return connection.vendor


def clear_returnees() -> None:
    """Remove returnee rows (a PostgreSQL database given by URL is not thrown away)."""
    from fangkong.core.models import AuditEntry, DailyCount
    from fangkong.returnees.models import DailyCheck, Observation, Person, ReturnTrip

    DailyCheck.objects.all().delete()
    Observation.objects.all().delete()
    ReturnTrip.objects.all()._raw_delete(ReturnTrip.objects.db)
    Person.objects.all()._raw_delete(Person.objects.db)
    DailyCount.objects.filter(metric__startswith="returnees.").delete()
    AuditEntry.objects.filter(verb__startswith="returnee").delete()
    from django.db import connection

    if connection.vendor == "postgresql":  # start from clean tables, as the floor does
        with connection.cursor() as cursor:
            for model in (ReturnTrip, Person):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
