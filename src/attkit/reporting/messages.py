"""Sentences for the codes the pure modules return (import problems, reconciliation findings), translated."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from attkit.reporting.importer import FileRefused, Problem
from attkit.reporting.reconcile import Finding

PROBLEMS: dict[str, Promise] = {
    # the file
    "too_large": _("The file is larger than %(limit_mb)s MB. Split it into smaller files."),
    "bad_encoding_choice": _("Choose UTF-8 or Latin-1 as the encoding."),
    "not_utf8": _(
        "The file is not UTF-8 text (first bad byte on line %(line)s). Save it as CSV UTF-8, "
        "or choose Latin-1 if your spreadsheet program saved it that way."
    ),
    "empty": _("The file is empty."),
    "binary": _("The file is not a CSV text file."),
    "no_header": _("The first line must name the columns."),
    "too_many_rows": _("The file has more than %(limit)s rows. Split it into smaller files."),
    "csv_syntax": _("The CSV cannot be read near line %(line)s (%(detail)s)."),
    # the mapping
    "no_such_column": _("The file has no such column."),
    "unknown_field": _("There is no field called %(field)s."),
    "mapped_twice": _("The field %(field)s is already filled from the column %(other)s."),
    "missing_column": _("No column gives the required field %(field)s: add the column or map one to it."),
    # a cell
    "required": _("Enter a value: this field is required."),
    "too_long": _("The value is too long (at most %(max)s characters)."),
    "too_big": _("The number is too large."),
    "negative": _("Enter a number that is not negative."),
    "not_whole_number": _("Enter a whole number, such as 1200."),
    "not_a_number": _("Enter a number, such as 1250.50."),
    "too_many_decimals": _("Enter at most two decimals."),
    "bad_date": _("Enter the date as YYYY-MM-DD, such as 2024-03-15."),
    "bad_year": _("Enter a year between 1990 and %(max)s."),
    "bad_country": _("“%(value)s” is not an ISO 3166 two-letter country code (such as MX, DE)."),
    "bad_choice": _("“%(value)s” is not one of: %(allowed)s."),
    "bad_category": _("“%(value)s” is not a category code (I to VII, VII(b), VIII.SA.1 to VIII.LW.7, ART3, ART4)."),
    "bad_currency": _("“%(value)s” is not an ISO 4217 currency code (such as USD, EUR, MXN)."),
    "formula": _(
        "“%(value)s” starts with %(char)s, which spreadsheet programs run as a formula: reword it or start it "
        "with a letter or a digit."
    ),
    "bad_hs": _("“%(value)s” is not an HS code (2 to 10 digits, such as 9301.90)."),
    "too_many_cells": _("The row has %(found)s cells but the header names %(expected)s columns."),
    # a row
    "year_or_date": _("Give the year or the date of the transfer."),
    "year_date_mismatch": _("The date is not in the year %(year)s given on the same row."),
    "quantity_or_value": _("Give the number of items, the value, or both."),
    "currency_needed": _("Give the currency of the value."),
    "required_for_export": _("An export needs the importing state."),
    "required_for_import": _("An import needs the exporting state."),
    "export_or_import": _("A customs declaration is an export or an import."),
    "duplicate_in_file": _("The declaration %(value)s is already on line %(first)s."),
    "already_imported": _("The declaration %(value)s was imported before."),
    "unknown_state": _("%(value)s is not in the treaty status table yet: import the state table first."),
}

FINDINGS: dict[str, Promise] = {
    Finding.NO_LICENCE: _("No licence: the declaration cites none, or one this authority does not hold."),
    Finding.ABOVE_LICENCE: _("Above the licence: more has been declared than the licence authorises."),
    Finding.HS_NOT_ON_LICENCE: _("HS code not on the licence cited."),
    Finding.CHAPTER93_UNLICENSED: _("Chapter 93 (arms and ammunition) code that no licence covers."),
}

FINDING_SHORT: dict[str, Promise] = {
    Finding.NO_LICENCE: _("Without a licence"),
    Finding.ABOVE_LICENCE: _("Above the licence"),
    Finding.HS_NOT_ON_LICENCE: _("HS code not on the licence"),
    Finding.CHAPTER93_UNLICENSED: _("Chapter 93, no licence"),
}


def problem_text(code: str, params: Mapping[str, Any]) -> str:
    template = PROBLEMS.get(code)
    if template is None:
        return code
    try:
        return str(template) % dict(params) if params else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)


def describe(problem: Problem) -> str:
    return problem_text(problem.code, problem.params)


def refused(exc: FileRefused) -> str:
    return problem_text(exc.code, exc.params)
