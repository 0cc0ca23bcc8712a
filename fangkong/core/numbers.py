"""The messages of ``fangkong.lib.ids`` in the reader's language, for every app.

``fangkong.lib.ids`` is a plain library and words its ``InvalidNumber`` errors in English. Every
place that shows such an error to a person goes through ``number_error``, so an ID number, a
mobile number, a plate or a credit code refused anywhere reads in the active language (a test
walks every ``except InvalidNumber`` handler to hold that).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fangkong.lib.ids import InvalidNumber

#: ``fangkong.lib.ids`` raises ``InvalidNumber`` with these English messages; they are marked
#: here so that the foundation catalogue translates them (see ``number_error``).
NUMBER_MESSAGES = (
    gettext_noop("ID number must have 18 characters (or 15 digits for an old card)"),
    gettext_noop("ID number must be 17 digits followed by a digit or X"),
    gettext_noop("ID number holds an impossible birth date"),
    gettext_noop("ID number check digit is wrong"),
    gettext_noop("ID number holds an unknown address code (its first 6 digits)"),
    gettext_noop("ID number holds a birth date in the future"),
    gettext_noop("mobile number must be 11 digits starting with 13-19"),
    gettext_noop(
        "plate must be a province character, a letter and 5 characters (6 for new-energy)"
    ),
    gettext_noop("unified social credit code is not valid"),
    gettext_noop("unified social credit code check digit is wrong"),
    gettext_noop("unified social credit code must have 18 characters"),
)


def number_error(exc: InvalidNumber) -> str:
    """The message of an ``InvalidNumber`` in the active language.

    The library words a few messages with python-stdnum's own English in brackets; those are
    said here in words the catalogue knows.
    """
    text = str(exc)
    if text.startswith("ID number is not valid"):
        text = "ID number holds an unknown address code (its first 6 digits)"
    elif text.startswith("unified social credit code is not valid"):
        if "checksum" in text:
            text = "unified social credit code check digit is wrong"
        elif "length" in text:
            text = "unified social credit code must have 18 characters"
        else:
            text = "unified social credit code is not valid"
    return _(text)
