"""What in a text could identify a client: names, initials, dates, phone numbers, e-mail
addresses, "DOB", street addresses and record numbers (HIPAA 45 CFR 164.514(b) lists them).

Plain Python over a string, no Flask and no database: client codes and every free-text field a
trainee or supervisor writes (reflections, notes, questions and answers) are read by the same
finder. Names come from a bundled list of common US first names and surnames (first-names.txt.gz
and surnames.txt.gz beside this module, from the 1990 US Census frequency lists, public domain).

The finder errs on the side of asking: a passage it marks is shown to the writer, who removes it
or confirms it is not a client's. Clinical vocabulary (MDMA, PTSD, PHQ-9, "0.5 mg/kg", "session
3 of 6") is not marked.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

KINDS = {
    "name": "a name",
    "initials": "initials",
    "email": "an e-mail address",
    "phone": "a phone number",
    "date": "a date",
    "dob": "a date of birth",
    "address": "a street address",
    "record": "a record number",
}


@dataclass(frozen=True)
class Finding:
    """One passage of a text that looks like a client identifier: `kind` (a key of KINDS)
    and where it is (`start`, `end`)."""

    kind: str
    start: int
    end: int
    text: str

    @property
    def label(self) -> str:
        """What the passage looks like, in words ("a phone number")."""
        return KINDS[self.kind]


@cache
def _names(filename: str) -> frozenset[str]:
    data = resources.files("tracker.privacy").joinpath(filename).read_bytes()
    return frozenset(gzip.decompress(data).decode("ascii").split())


def first_names() -> frozenset[str]:
    """The bundled common first names, in capitals."""
    return _names("first-names.txt.gz")


def surnames() -> frozenset[str]:
    """The bundled common surnames, in capitals."""
    return _names("surnames.txt.gz")


def is_name(word: str) -> bool:
    """Whether `word` (any case) is a common first name or surname."""
    upper = word.upper()
    return upper in first_names() or upper in surnames()


def holds_names(letters: str, shortest: int = 3) -> bool:
    """Whether a run of letters (any case) is a common name, or two run together
    (MARIALOPEZ), each part of at least `shortest` letters."""
    if len(letters) < shortest:
        return False
    if is_name(letters):
        return True
    return any(
        is_name(letters[:i]) and is_name(letters[i:])
        for i in range(shortest, len(letters) - shortest + 1)
    )


def _words(text: str) -> list[str]:
    """The words of `text` (a list written as one string reads best)."""
    return text.split()


# -- the patterns ---------------------------------------------------------------------------------

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_MONTH_CAPS = _MONTH.upper()  # the same names written in capitals

_EMAIL = (
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    re.compile(r"[\w.+-]+\s*[(\[]\s*at\s*[)\]]\s*[\w-]+(?:\s*[(\[]?\s*dot\s*[)\]]?\s*\w+)*", re.I),
)
_PHONE = (
    # (415) 555-1234, 415-555-1234, 415.555.1234, +1 415 555 1234, 4155551234
    re.compile(r"(?<![\w.])(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?![\d.]?\d)"),
    # +44 20 7946 0958, +33 1 23 45 67 89
    re.compile(r"(?<![\w])\+\d{1,3}(?:[\s.-]?\d{1,4}){3,5}(?!\d)"),
    # 555-1234 (seven digits with a separator)
    re.compile(r"(?<![\w.-])\d{3}[-.]\d{4}(?![\w.-]?\d)"),
    re.compile(
        r"\b(?:phone|tel|cell|mobile)\s*(?:no\.?|number|#)?\s*:?\s*\+?[\d(][\d\s().-]{5,}\d", re.I
    ),
)
_DATE = (
    # 1985-03-12, 1985/3/12
    re.compile(r"(?<![\d.])(?:1[89]|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}(?![\d.]?\d)"),
    # 03/12/1985, 3-12-85, 12.03.1985
    re.compile(r"(?<![\d.,])\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})(?![\d.]?\d)"),
    # 3/12 (a day and month)
    re.compile(r"(?<![\d.,/])(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])(?![\d/])"),
    # March 12, March 12th, 1985, Mar. 12 1985
    re.compile(rf"\b(?:{_MONTH}|{_MONTH_CAPS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?"),
    # 12 March 1985, 12th of March, 2-MAR-85
    re.compile(
        rf"(?<![\w.])\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?[\s-]+(?:{_MONTH}|{_MONTH_CAPS})\b"
        r"(?:[\s,-]+\d{2,4})?"
    ),
)
_DOB = re.compile(
    r"\b(?:D\.?O\.?B\b\.?|date\s+of\s+birth|birth\s*date|birthday|born\s+(?:on|in)\b)"
    r"(?:\s*[:\-]?\s*[\d/.\-]{6,10})?",
    re.I,
)
_STREET = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    r"Terrace|Ter|Circle|Cir|Highway|Hwy|Parkway|Pkwy|Square|Sq|Alley|Trail|Row)"
)
_ADDRESS = (
    re.compile(
        rf"\b\d{{1,6}}\s+(?:[NSEW]\.?\s+)?(?:(?:[A-Z][a-z]+|\d+(?:st|nd|rd|th))\.?\s+){{1,3}}"
        rf"{_STREET}\b\.?"
    ),
    re.compile(r"\b(?:Apt|Apartment|Suite|Ste|Unit)\.?\s*#?\s*\d+[A-Z]?\b", re.I),
    re.compile(r"\bP\.?\s?O\.?\s+Box\s+\d+", re.I),
    # a state and ZIP code: CA 94110, CA 94110-1234
    re.compile(r"\b[A-Z]{2},?\s+\d{5}(?:-\d{4})?\b"),
)
_RECORD = (
    re.compile(
        r"\b(?:MRN|SSN|NHS|medical\s+record|record\s+(?:number|no\b\.?|#)|chart\s+(?:number|"
        r"no\b\.?|#)|patient\s+(?:id|number)|member\s+(?:id|number)|policy\s+(?:id|number)|"
        r"insurance\s+(?:id|number)|case\s+(?:number|no\b\.?|#)|social\s+security)"
        r"(?:\s*(?:no\b\.?|number|#))?(?:\s*[:#-]?\s*[A-Z0-9-]*\d[A-Z0-9-]*)?",
        re.I,
    ),
    re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])"),  # a social security number
    re.compile(r"#\s?\d{4,}"),
    re.compile(r"(?<![\d.,])\d{6,}(?![\d.,]?\d)"),
)
# Two capitalised words (a middle initial allowed): a name when the first is a first name and
# the second a surname; written in capitals too.
_APOSTROPHES = "'\u2019"
_WORD_PAIR = re.compile(
    r"\b(?=([A-Z][a-z]+|[A-Z]{2,})(?:\s+[A-Z]\.?)?\s+"
    rf"([A-Z](?:[{_APOSTROPHES}][A-Z])?[a-z]+(?:-[A-Z][a-z]+)?|[A-Z]{{2,}})\b)"
)
_TITLE = re.compile(rf"\b(?:Mr|Mrs|Ms|Mx|Miss)\.?\s+[A-Z][a-z{_APOSTROPHES}-]+")
_ROLE = re.compile(r"\b(?i:client|patient|pt|participant|named|called)\b\.?:?\s+([A-Z][a-z]+)")
# MariaLopez, MariaLopez1, Maria1, LOPEZ42: a name run together or beside digits.
_GLUED = re.compile(r"\b([A-Za-z]+?)(\d+)\b|\b([A-Z][a-z]+[A-Z][a-z]+)\d*\b")
_INITIALS = (
    re.compile(r"(?<![\w.])[A-Z]\.\s?[A-Z]\.(?:\s?[A-Z]\.)?(?:\s?\d+)?"),  # J.D., J. D. M.
    re.compile(r"(?<![\w.-])[A-Z]{2,3}-?\d{1,4}(?![\w.-]?\w)"),  # JD01, JD-01, JDM7
)
# Letters-and-digit terms of the trade, never initials: PHQ-9, GAD-7, DSM-5, CE1, 5-HT2A, ...
_NOT_INITIALS = frozenset(
    _words(
        "PHQ GAD PCL DSM ICD CPT BDI BAI HAM MDD PTSD CE CME KC MG ML IM IV SL IN PO HT DMT LSD "
        "NMDA SSRI SNRI CBT DBT EMDR ACT IFS MI VAS QID BID TID QD PRN DAST AUDIT MOCA ASQ CSSRS "
        "CAPS PC WEEK WK DAY HR HRS MIN NO ID TR OK AM PM BP MAP COVID SARS HIV HCV"
    )
)
_NOT_DOTTED = frozenset(_words("US UK EU UN AM PM MD DO BA BS MA MS NP PA RN PO DC"))


def _spans(text: str) -> list[Finding]:
    found: list[Finding] = []

    def add(kind: str, match: re.Match[str], group: int = 0) -> None:
        found.append(Finding(kind, match.start(group), match.end(group), match.group(group)))

    for kind, patterns in (
        ("email", _EMAIL),
        ("dob", (_DOB,)),
        ("record", _RECORD),
        ("phone", _PHONE),
        ("date", _DATE),
        ("address", _ADDRESS),
    ):
        for pattern in patterns:
            for match in pattern.finditer(text):
                add(kind, match)
    for match in _WORD_PAIR.finditer(text):
        first, last = (
            match.group(1).upper(),
            re.sub(f"[{_APOSTROPHES}]", "", match.group(2).upper()),
        )
        if first in first_names() and (last in surnames() or last.split("-")[0] in surnames()):
            found.append(Finding("name", match.start(), match.end(2), match.group(1)))
    for match in _TITLE.finditer(text):
        add("name", match)
    for match in _ROLE.finditer(text):
        if is_name(match.group(1)):
            add("name", match)
    for match in _GLUED.finditer(text):
        letters = match.group(1) or match.group(3)
        if letters and letters.upper() not in _NOT_INITIALS and holds_names(letters):
            add("name", match)
    for match in _INITIALS[0].finditer(text):
        if re.sub(r"[^A-Z]", "", match.group()) not in _NOT_DOTTED:
            add("initials", match)
    for match in _INITIALS[1].finditer(text):
        if re.sub(r"[^A-Z]", "", match.group()) not in _NOT_INITIALS:
            add("initials", match)
    return found


def find_identifiers(text: str | None) -> list[Finding]:
    """The passages of `text` that look like a client identifier, in order, overlapping ones
    merged (the kind of the first kept)."""
    merged: list[Finding] = []
    for finding in sorted(_spans(text or ""), key=lambda f: (f.start, -f.end)):
        if merged and finding.start < merged[-1].end:
            last = merged[-1]
            if finding.end > last.end:
                end = finding.end
                merged[-1] = Finding(last.kind, last.start, end, (text or "")[last.start : end])
            continue
        merged.append(finding)
    return merged


def describe(findings: list[Finding]) -> str:
    """One sentence naming what the passages look like ("a name and a phone number")."""
    labels: list[str] = []
    for finding in findings:
        if finding.label not in labels:
            labels.append(finding.label)
    if len(labels) == 1:
        return labels[0]
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def marked(text: str, findings: list[Finding]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_flagged) parts, for showing the passages highlighted."""
    parts: list[tuple[str, bool]] = []
    at = 0
    for finding in findings:
        if finding.start > at:
            parts.append((text[at : finding.start], False))
        parts.append((text[finding.start : finding.end], True))
        at = finding.end
    if at < len(text):
        parts.append((text[at:], False))
    return parts
