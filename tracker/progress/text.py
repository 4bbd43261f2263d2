"""How the engine writes numbers and dates into its sentences."""

from __future__ import annotations

from datetime import date
from decimal import Decimal


def hours(value: Decimal | int) -> str:
    """Write hours or credits without trailing zeros: 7.5, 12, 0.25."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def money(cents: int) -> str:
    """Write an amount of cents as dollars: $1,234.56."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}${whole:,}.{part:02d}"


def day(value: date) -> str:
    """Write a date the way people read it: 1 March 2025."""
    return f"{value.day} {value:%B} {value.year}"


def plural(count: int | Decimal, word: str, many: str | None = None) -> str:
    """Write a count with its noun: 1 session, 2 sessions."""
    noun = word if count == 1 else (many or f"{word}s")
    return f"{hours(count)} {noun}"


def listing(names: list[str]) -> str:
    """Join names for a sentence: a, b and c."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
