from __future__ import annotations

import pytest

from hall.cache import ReferenceCache, hall_data_changed

pytestmark = pytest.mark.unit


class Ticking:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_cached_value_is_served_until_it_expires() -> None:
    clock = Ticking()
    cache = ReferenceCache(ttl_seconds=5, clock=clock)
    cache.put("centre", "SFX")
    clock.now += 4.9
    assert cache.get("centre") == "SFX"
    clock.now += 0.2
    assert cache.get("centre") is None


def test_a_committed_change_in_this_process_drops_every_entry_at_once() -> None:
    cache = ReferenceCache(ttl_seconds=60)
    cache.put("windows", (1, 2))
    hall_data_changed()
    assert cache.get("windows") is None


def test_a_zero_ttl_cache_keeps_nothing() -> None:
    cache = ReferenceCache(ttl_seconds=0)
    cache.put("staff", "x")
    assert cache.get("staff") is None
