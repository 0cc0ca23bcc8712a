from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fangkong.accounts.roles import Role
from fangkong.accounts.services import RoleGrant, user_create
from fangkong.divisions.selectors import division_by_code


class Command(BaseCommand):
    help = "Create a user with one role in one division."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--division", required=True, help="division code, any written form")
        parser.add_argument("--name", default="", help="display name")
        parser.add_argument(
            "--keep-password",
            action="store_true",
            help="do not ask the user to change the password at first login",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        division = division_by_code(options["division"])
        if division is None:
            raise CommandError(f"--division {options['division']}: no such division")
        try:
            user = user_create(
                actor=None,
                username=options["username"],
                password=options["password"],
                display_name=options["name"],
                grants=[RoleGrant(options["role"], division)],
                must_change_password=not options["keep_password"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(f"created {user.username}: {options['role']} of {division.name}")
        )
