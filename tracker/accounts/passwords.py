"""Password policy and hashing (argon2id), with old hashes upgraded at sign-in."""

from __future__ import annotations

import contextlib
import gzip
import re
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 128
_hasher = PasswordHasher()
# A hash computed once so that an unknown account costs as much time as a known one.
_DUMMY_HASH = _hasher.hash("a dummy password that nobody has")


def configure(time_cost: int | None, memory_kib: int | None) -> None:
    """Use these argon2id costs (None keeps the library's own defaults for that cost).

    The configuration sets OWASP's recommended minimum; only the test configuration lowers it,
    to keep a suite of thousands of sign-ins fast.
    """
    global _hasher, _DUMMY_HASH  # the process-wide hasher, set at app creation
    wanted = PasswordHasher(
        time_cost=time_cost or PasswordHasher().time_cost,
        memory_cost=memory_kib or PasswordHasher().memory_cost,
        parallelism=1 if memory_kib else PasswordHasher().parallelism,
    )
    if (wanted.time_cost, wanted.memory_cost, wanted.parallelism) != (
        _hasher.time_cost,
        _hasher.memory_cost,
        _hasher.parallelism,
    ):
        _hasher = wanted
        _DUMMY_HASH = _hasher.hash("a dummy password that nobody has")


_TRAILING = re.compile(r"[\d\W_]+$")
_SEPARATORS = re.compile(r"[\W_]+")
# Keyboard rows and the alphabet: walks along them ("qwertyuiopasdf") are guessed at once,
# whether or not they made the common-password list.
_SEQUENCES = ("1234567890qwertyuiopasdfghjklzxcvbnm", "abcdefghijklmnopqrstuvwxyz")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The bundled list of the 20,000 most common passwords, lower-cased."""
    data = resources.files("tracker.accounts").joinpath("common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode().split())


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Return why `password` is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters; a passphrase of several words is best."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    common = common_passwords()
    stem = _TRAILING.sub("", lowered)
    if lowered in common or (stem and stem in common and len(stem) <= 10):
        return "This password is one of the most common ones; choose another."
    if len(set(password)) < 4:
        return "This password repeats too few characters; choose another."
    if _is_sequence(lowered):
        return "This password follows a keyboard row or the alphabet; choose another."
    local = email.split("@", 1)[0].lower()
    if local and len(local) >= 4 and local in lowered:
        return "Do not use your e-mail address in your password."
    if name and name.strip().lower().replace(" ", "") == lowered.replace(" ", ""):
        return "Do not use your name as your password."
    return None


def _is_sequence(lowered: str) -> bool:
    compact = _SEPARATORS.sub("", lowered)
    if len(compact) < 6:
        return False
    return any(compact in seq * 2 or compact in seq[::-1] * 2 for seq in _SEQUENCES)


def hash_password(password: str) -> str:
    """Hash with argon2id and a fresh salt."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check `password` against `stored_hash` in constant-ish time, also without a hash."""
    if not stored_hash:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
