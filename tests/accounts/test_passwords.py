"""The password policy and the stored hash, without the web layer."""

from __future__ import annotations

import pytest

from tracker.accounts.passwords import MAX_LENGTH
from tracker.accounts.passwords import MIN_LENGTH
from tracker.accounts.passwords import common_passwords
from tracker.accounts.passwords import hash_password
from tracker.accounts.passwords import needs_rehash
from tracker.accounts.passwords import password_problem
from tracker.accounts.passwords import verify_password


def test_the_bundled_list_is_loaded():
    common = common_passwords()
    assert len(common) > 10_000
    assert "password" in common
    assert sum(1 for word in common if len(word) >= MIN_LENGTH) > 100


@pytest.mark.parametrize(
    "password",
    [
        "x7!" + "amber lanterns",
        "correct horse battery staple",
        "Zürich café at dawn",
        "a" * 3 + "bcdefgh" + "1234" + "zz",
        "w" * 0 + "plum tree 72ab",
        "lantern " * 16,
    ],
)
def test_acceptable_passwords(password):
    assert MIN_LENGTH <= len(password) <= MAX_LENGTH
    assert password_problem(password) is None


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("eleven char", "at least 12"),
        ("p" * 129, "at most 128"),
        ("password1234", "most common"),
        ("Password1234!", "most common"),
        ("iloveyou2024!!", "most common"),
        ("sonnenschein", "most common"),
        ("qwertyuiopasdf", "keyboard"),
        ("QWERTY uiop asdf", "keyboard"),
        ("abcdefghijklmn", "keyboard"),
        ("1234567890qwer", "keyboard"),
        ("abababababab", "too few"),
    ],
)
def test_refused_passwords(password, reason):
    problem = password_problem(password)
    assert problem is not None
    assert reason in problem


def test_personal_details_are_refused():
    assert "e-mail" in password_problem("dana.smith-rocks-2024", email="dana.smith@example.org")
    assert "name" in password_problem("Dana Marie Smith", name="dana marie smith")
    assert password_problem("Dana's lantern harbour", name="Dana Smith") is None


def test_hashes_are_argon2id_with_the_recommended_parameters(real_hashing):
    stored = hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$v=19$")
    # OWASP: argon2id with at least 19 MiB memory and 2 iterations (or more memory).
    assert real_hashing.memory_cost >= 19 * 1024
    assert real_hashing.time_cost >= 2
    assert f"m={real_hashing.memory_cost},t={real_hashing.time_cost}" in stored
    assert stored != hash_password("correct horse battery staple")  # salted
    assert verify_password(stored, "correct horse battery staple")
    assert not verify_password(stored, "correct horse battery stapler")
    assert not needs_rehash(stored)


def test_unusable_hashes_never_verify():
    assert not verify_password(None, "anything at all")
    assert not verify_password("", "anything at all")
    assert not verify_password("not-a-hash", "anything at all")
    assert needs_rehash("not-a-hash")
