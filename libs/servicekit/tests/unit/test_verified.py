"""Verified tokens are reused only within their own life, their hold, and the settings that verified them."""

from __future__ import annotations

import pytest

from oneteam_servicekit.verified import Verified


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_token_is_kept_until_it_expires_or_its_hold_ends() -> None:
    clock = Ticks()
    found: Verified[str] = Verified(hold_s=60, clock=clock)
    found.put("t1", "ctx", "alice", expires_in_s=10)
    found.put("t2", "ctx", "bob", expires_in_s=3600)
    assert (found.get("t1", "ctx"), found.get("t2", "ctx")) == ("alice", "bob")
    clock.now += 10
    assert found.get("t1", "ctx") is None  # expired: verified again (and refused) by the caller
    assert found.get("t2", "ctx") == "bob"
    clock.now += 50
    assert found.get("t2", "ctx") is None  # held at most 60 s: a withdrawn key stops working


def test_other_settings_never_reuse_a_token() -> None:
    found: Verified[str] = Verified(clock=Ticks())
    found.put("t", ("secret-a",), "alice", expires_in_s=60)
    assert found.get("t", ("secret-b",)) is None


def test_the_oldest_go_first_when_full() -> None:
    found: Verified[int] = Verified(size=2, clock=Ticks())
    for n in range(3):
        found.put(f"t{n}", "ctx", n, expires_in_s=60)
    assert [found.get(f"t{n}", "ctx") for n in range(3)] == [None, 1, 2]


@pytest.mark.parametrize("left", [0.0, -5.0])
def test_a_token_with_no_life_left_is_not_kept(left: float) -> None:
    found: Verified[str] = Verified(clock=Ticks())
    found.put("t", "ctx", "alice", expires_in_s=left)
    assert found.get("t", "ctx") is None
