"""The pure parts of sign-in: centre trees, password and token hashing, and a principal's centre scope."""

from __future__ import annotations

import string
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hall.domain.people import Role
from hall.security import ANONYMOUS, Principal, descendants, hash_password, hash_token, new_token, verify_password

pytestmark = pytest.mark.unit

DETERMINISTIC = settings(derandomize=True, max_examples=200, deadline=None)


def uid(n: int) -> UUID:
    return UUID(int=n)


CITY, COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1, OTHER_COUNTY = (uid(n) for n in range(1, 8))
TREE = [
    (CITY, None),
    (COUNTY, CITY),
    (TOWN_A, COUNTY),
    (TOWN_B, COUNTY),
    (VILLAGE_A1, TOWN_A),
    (VILLAGE_B1, TOWN_B),
    (OTHER_COUNTY, CITY),
]


# --- descendants --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("root", "expected"),
    [
        (CITY, {CITY, COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1, OTHER_COUNTY}),
        (COUNTY, {COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1}),
        (TOWN_A, {TOWN_A, VILLAGE_A1}),
        (VILLAGE_B1, {VILLAGE_B1}),
        (OTHER_COUNTY, {OTHER_COUNTY}),
    ],
)
def test_descendants_are_the_root_and_every_centre_below_it(root: UUID, expected: set[UUID]) -> None:
    assert descendants(TREE, root) == frozenset(expected)


def test_an_unknown_root_has_only_itself_as_descendant() -> None:
    stranger = uid(999)

    assert descendants(TREE, stranger) == frozenset({stranger})


def test_descendants_of_an_empty_tree_are_just_the_root() -> None:
    assert descendants([], CITY) == frozenset({CITY})


def test_a_cycle_in_the_centre_tree_still_terminates() -> None:
    cyclic = [(COUNTY, TOWN_A), (TOWN_A, TOWN_B), (TOWN_B, COUNTY), (VILLAGE_A1, TOWN_A)]

    assert descendants(cyclic, COUNTY) == frozenset({COUNTY, TOWN_A, TOWN_B, VILLAGE_A1})


def test_a_centre_that_is_its_own_parent_still_terminates() -> None:
    assert descendants([(COUNTY, COUNTY), (TOWN_A, COUNTY)], COUNTY) == frozenset({COUNTY, TOWN_A})


def test_descendants_accept_a_one_shot_iterator() -> None:
    assert descendants(iter(TREE), TOWN_B) == frozenset({TOWN_B, VILLAGE_B1})


@DETERMINISTIC
@given(
    parents=st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=11)), min_size=12, max_size=12),
    root=st.integers(min_value=0, max_value=11),
)
def test_descendants_of_any_parent_table_contain_the_root_and_are_closed_under_children(
    parents: list[int | None], root: int
) -> None:
    pairs = [(uid(i), None if p is None else uid(p)) for i, p in enumerate(parents)]

    found = descendants(pairs, uid(root))

    assert uid(root) in found
    for child, parent in pairs:
        if parent in found:
            assert child in found


# --- passwords ----------------------------------------------------------------------------------------------------
def test_a_password_verifies_against_its_own_hash_and_no_other() -> None:
    stored = hash_password("Hall-demo-2026")

    assert stored != "Hall-demo-2026"
    assert stored.startswith("$argon2")
    assert verify_password(stored, "Hall-demo-2026")
    assert not verify_password(stored, "hall-demo-2026")
    assert not verify_password(stored, "")


def test_hashing_the_same_password_twice_gives_different_salted_hashes() -> None:
    first, second = hash_password("窗口密码"), hash_password("窗口密码")

    assert first != second
    assert verify_password(first, "窗口密码")
    assert verify_password(second, "窗口密码")


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "not-a-hash",
        "$argon2id$v=19$m=65536,t=3,p=4$bad",
        "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$",
        "$2b$12$abcdefghijklmnopqrstuuQ0Gm2r1e6S6o0x1Qm1s0bqZ8u1n2x3y",
        "5f4dcc3b5aa765d61d8327deb882cf99",
    ],
    ids=["empty", "text", "truncated argon2", "argon2 without digest", "bcrypt", "md5"],
)
def test_a_garbage_stored_hash_verifies_as_false_without_raising(garbage: str) -> None:
    assert verify_password(garbage, "password") is False


# --- tokens -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("prefix", ["ha_", "hk_", "hd_", ""])
def test_a_new_token_keeps_its_prefix_and_adds_a_long_url_safe_secret(prefix: str) -> None:
    token = new_token(prefix)

    assert token.startswith(prefix)
    secret = token[len(prefix) :]
    assert len(secret) >= 40
    assert set(secret) <= set(string.ascii_letters + string.digits + "-_")


def test_new_tokens_are_unique() -> None:
    tokens = {new_token("ha_") for _ in range(1000)}

    assert len(tokens) == 1000


@pytest.mark.parametrize(
    ("token", "digest"),
    [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ],
)
def test_a_token_hash_is_the_sha256_hex_digest(token: str, digest: str) -> None:
    assert hash_token(token) == digest


@DETERMINISTIC
@given(token=st.text())
def test_a_token_hash_is_64_lowercase_hex_characters_and_stable(token: str) -> None:
    digest = hash_token(token)

    assert len(digest) == 64
    assert set(digest) <= set("0123456789abcdef")
    assert hash_token(token) == digest


def test_different_tokens_hash_differently() -> None:
    assert hash_token("ha_test-admin") != hash_token("ha_test-admiN")


# --- Principal ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("scope", "centre", "may_access"),
    [
        (None, CITY, True),  # admin: every centre
        (None, uid(12345), True),
        (frozenset({COUNTY, TOWN_A}), TOWN_A, True),
        (frozenset({COUNTY, TOWN_A}), TOWN_B, False),
        (frozenset(), CITY, False),  # no centres at all
    ],
)
def test_a_principal_may_access_exactly_the_centres_in_scope(
    scope: frozenset[UUID] | None, centre: UUID, may_access: bool
) -> None:
    assert Principal(role=Role.MANAGER, centre_scope=scope).may_access_centre(centre) is may_access


def test_an_anonymous_visitor_is_not_authenticated_and_may_access_no_centre() -> None:
    assert not ANONYMOUS.is_authenticated
    assert ANONYMOUS.role is None
    assert not ANONYMOUS.may_access_centre(CITY)


def test_a_principal_with_a_role_is_authenticated() -> None:
    assert Principal(role=Role.KIOSK).is_authenticated


def test_a_manager_scope_built_from_descendants_covers_their_subtree_only() -> None:
    manager = Principal(role=Role.MANAGER, centre_id=COUNTY, centre_scope=descendants(TREE, COUNTY))

    assert manager.may_access_centre(VILLAGE_B1)
    assert not manager.may_access_centre(CITY)
    assert not manager.may_access_centre(OTHER_COUNTY)
