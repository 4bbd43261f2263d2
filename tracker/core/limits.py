"""What a rate-limited page counts, in words for its 429 page ("Too many look-ups: try again in
40 seconds"), and the waiting time said the way people say it."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

COUNTS_ATTRIBUTE = "__rate_limit_counts__"
DEFAULT_COUNTS = "requests"


def counts(noun: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Name what a rate-limited view counts ("look-ups", "sign-in attempts"); declared on the
    view beside its `limiter.limit`."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        setattr(view, COUNTS_ATTRIBUTE, noun)
        return view

    return decorate


def counted(view: Callable[..., Any] | None) -> str:
    """What `view` counts, "requests" when it does not say."""
    return getattr(view, COUNTS_ATTRIBUTE, DEFAULT_COUNTS)


def wait_in_words(seconds: float) -> str:
    """ "40 seconds", "1 minute", "3 minutes", "2 hours": rounded up, so never too early."""
    seconds = max(1, math.ceil(seconds))
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return f"{minutes} minutes"
    hours = math.ceil(minutes / 60)
    return f"{hours} hours"
