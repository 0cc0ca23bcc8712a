from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fangkong.accounts.models import DeviceToken
from fangkong.accounts.services import token_revoke


class Command(BaseCommand):
    help = "Revoke device tokens: by id, or every token of a user."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--id", type=int, help="token id")
        group.add_argument("--user", help="revoke all tokens of this user name")

    def handle(self, *args: Any, **options: Any) -> None:
        tokens = DeviceToken.objects.filter(revoked_at__isnull=True).select_related("user")
        if options["id"] is not None:
            tokens = tokens.filter(pk=options["id"])
        else:
            tokens = tokens.filter(user__username=options["user"])
        found = list(tokens)
        if not found:
            raise CommandError("no active token matches")
        for token in found:
            token_revoke(actor=None, token=token)
            self.stdout.write(f"revoked token {token.pk} '{token.name}' of {token.user.username}")
