"""Code columns (``CodeField``) compare bytewise: "C" collation on PostgreSQL."""

from __future__ import annotations

from django.db import connection
from django.test import TestCase

from fangkong.core.models import CodeField
from fangkong.returnees.models import Person, ReturnTrip

CODE_COLUMNS = [
    (Person, "id_number"),
    (Person, "mobile"),
    (Person, "division_code"),
    (ReturnTrip, "receipt"),
    (ReturnTrip, "division_code"),
]


class CodeFieldTests(TestCase):
    def test_the_columns_have_the_bytewise_collation_where_the_database_needs_it(self):
        for model, name in CODE_COLUMNS:
            field = model._meta.get_field(name)
            assert isinstance(field, CodeField), name
            collation = field.db_parameters(connection)["collation"]
            assert collation == ("C" if connection.vendor == "postgresql" else None), name
        # An ordinary text column keeps the database's collation.
        assert Person._meta.get_field("name").db_parameters(connection).get("collation") is None

    def test_the_migrated_columns_have_it_in_postgresql(self):
        if connection.vendor != "postgresql":
            self.skipTest("SQLite compares text bytewise without a collation")
        with connection.cursor() as cursor:
            for model, name in CODE_COLUMNS:
                cursor.execute(
                    "SELECT collation_name FROM information_schema.columns"
                    " WHERE table_name = %s AND column_name = %s",
                    [model._meta.db_table, model._meta.get_field(name).column],
                )
                assert cursor.fetchone() == ("C",), name
            cursor.execute(
                "SELECT collation_name FROM information_schema.columns"
                " WHERE table_name = %s AND column_name = 'name'",
                [Person._meta.db_table],
            )
            assert cursor.fetchone() == (None,)

    def test_an_explicit_collation_is_kept(self):
        if connection.vendor != "postgresql":
            self.skipTest("only PostgreSQL columns get a collation from CodeField")
        field = CodeField(max_length=5, db_collation="und-x-icu")
        assert field.db_parameters(connection)["collation"] == "und-x-icu"
