"""The sign-offs of logged entries, for the pages that list those entries.

`tracker.signoffs` keeps signatures and question threads, and reads the entries of training and
supervision to do so; the pages of training and supervision show each entry's signature. They
ask here, and signoffs provides the reader when it is imported, so neither imports the other.
The views read the sign-offs and hand them to the templates: a template never queries.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any

Reader = Callable[[str, Iterable[Any]], Mapping[int, Any]]
_READER: list[Reader] = []


def provide(reader: Reader) -> None:
    """Set the function that reads the sign-offs of entries of one type (two queries)."""
    _READER[:] = [reader]


def signoffs_of(entry_type: str, entries: Iterable[Any]) -> Mapping[int, Any]:
    """Signatures and threads of the entries, by entry id ("session", "didactic" or
    "experiential"); an entry without any gets an empty record."""
    if not _READER:
        raise RuntimeError("no sign-off reader: the signoffs package is not imported")
    return _READER[0](entry_type, entries)
