from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.jurisdiction import scope_q
from fangkong.core.models import TimeStampedModel

# Official suffixes trimmed for display, longest first.
SHORT_NAME_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会", "办事处")


def short_name_for(name: str) -> str:
    for suffix in SHORT_NAME_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    LEAGUE = "league", _("League")
    COUNTY = "county", _("Banner/district")
    TOWNSHIP = "township", _("Sumu/town")
    VILLAGE = "village", _("Gacha/community")


# Level → length of the scope key at that level.
LEVEL_KEY_LENGTH = {
    Level.PROVINCE: 2,
    Level.LEAGUE: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
}
LEVEL_ORDER = [Level.PROVINCE, Level.LEAGUE, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]


class DivisionQuerySet(models.QuerySet):
    def within(self, scope_key: str) -> DivisionQuerySet:
        return self.filter(code__startswith=scope_key)

    def within_scopes(self, keys: Iterable[str]) -> DivisionQuerySet:
        return self.filter(scope_q(keys, field="code"))


class Division(TimeStampedModel):
    """An administrative division: league, banner, sumu/town, gacha/community.

    ``code`` is the scope key (significant digits: ``1529``, ``152921``, ``152921102``,
    ``152921102201``); ``full_code`` the 12-digit padded form. Records that belong to a place
    store the scope key as ``division_code`` and filter with ``startswith``.
    """

    code = models.CharField(_("code"), max_length=12, unique=True)
    full_code = models.CharField(_("12-digit code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    parent_code = models.CharField(_("parent code"), max_length=12, blank=True)
    pinyin = models.CharField(_("pinyin"), max_length=400, blank=True, db_index=True)
    initials = models.CharField(_("pinyin initials"), max_length=100, blank=True, db_index=True)

    objects: ClassVar[DivisionQuerySet] = DivisionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        ordering = ("code",)

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def division_code(self) -> str:
        """A division's own jurisdiction key is its code (lets audit place it)."""
        return self.code

    @property
    def depth(self) -> int:
        return LEVEL_ORDER.index(Level(self.level))

    def contains(self, code: str) -> bool:
        return code.startswith(self.code)
