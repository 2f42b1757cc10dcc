"""A consumer says how far behind it is: None until it has looked at every partition, then the records left;
and how far behind its whole group is, from the broker's commits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, cast

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import ConsumerStoppedError

from oneteam_eventbus import consumer as module
from oneteam_eventbus.config import KafkaConfig
from oneteam_eventbus.consumer import EventConsumer

P0, P1 = TopicPartition("oneteam.incidents", 0), TopicPartition("oneteam.incidents", 1)
Step = Callable[["_Client"], None]


class _Client:
    """aiokafka's consumer as far as the lag reads it: each poll answers nothing and runs the script's next step."""

    script: ClassVar[list[Step]] = []

    def __init__(self, **options: Any) -> None:
        self.highwaters: dict[TopicPartition, int] = {}
        self.positions: dict[TopicPartition, int] = {}
        self.listener: Any = None
        self.partitions: dict[str, set[int]] = {}
        self.starts: dict[TopicPartition, int] = {}
        self.ends: dict[TopicPartition, int] = {}
        self.commits: dict[TopicPartition, int] = {}

    def partitions_for_topic(self, topic: str) -> set[int] | None:
        return self.partitions.get(topic)

    async def beginning_offsets(self, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
        return {tp: self.starts[tp] for tp in tps}

    async def end_offsets(self, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
        return {tp: self.ends[tp] for tp in tps}

    async def committed(self, tp: TopicPartition) -> int | None:
        return self.commits.get(tp)

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def subscribe(self, topics: list[str], listener: Any) -> None:
        self.listener = listener

    def assignment(self) -> set[TopicPartition]:
        return set(self.positions)

    def highwater(self, tp: TopicPartition) -> int | None:
        return self.highwaters.get(tp)

    async def position(self, tp: TopicPartition) -> int:
        return self.positions[tp]

    async def getmany(self, timeout_ms: int) -> dict[TopicPartition, list[Any]]:
        if not self.script:
            raise ConsumerStoppedError()
        self.script.pop(0)(self)
        return {}


async def _lags_after(steps: list[Step], monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """The consumer's lag after each step (each step is one idle poll)."""
    seen: list[int | None] = []
    reader = EventConsumer(KafkaConfig("localhost:1"), group_id="g", service="test", handlers={},
                           sessions=cast(Any, None), dead_letters=cast(Any, None))  # neither is reached

    def watching(step: Step) -> Step:
        def run(client: _Client) -> None:
            seen.append(reader.lag)  # what the previous poll measured
            step(client)
        return run

    monkeypatch.setattr(module, "AIOKafkaConsumer", _Client)
    monkeypatch.setattr(_Client, "script", [watching(step) for step in steps] + [watching(lambda _: None)])
    await reader.start()
    await reader.run()
    return seen[1:]


def _assign(*tps: TopicPartition) -> Step:
    def step(client: _Client) -> None:
        client.positions = dict.fromkeys(tps, 0)
        client.highwaters = {}
        client.listener.holding = client.listener.joined = True  # what on_partitions_assigned does
    return step


def _fetched(tp: TopicPartition, highwater: int, position: int) -> Step:
    def step(client: _Client) -> None:
        client.highwaters[tp], client.positions[tp] = highwater, position
    return step


def _rebalancing(client: _Client) -> None:
    client.listener.holding = False  # what on_partitions_revoked does
    client.positions, client.highwaters = {}, {}


async def test_a_consumer_that_has_not_joined_does_not_say_it_is_caught_up(monkeypatch: pytest.MonkeyPatch) -> None:
    assert await _lags_after([lambda _: None], monkeypatch) == [None]


async def test_the_lag_is_known_once_every_partition_was_fetched_and_sums_what_is_left(
        monkeypatch: pytest.MonkeyPatch) -> None:
    lags = await _lags_after([_assign(P0, P1), _fetched(P0, 500, 300), _fetched(P1, 40, 40), _fetched(P0, 520, 520)],
                             monkeypatch)

    assert lags == [None, None, 200, 0]


async def test_a_rebalance_forgets_the_lag_until_the_new_partitions_were_fetched(
        monkeypatch: pytest.MonkeyPatch) -> None:
    lags = await _lags_after([_assign(P0), _fetched(P0, 10, 10), _rebalancing, _assign(P1), _fetched(P1, 90, 0)],
                             monkeypatch)

    assert lags == [None, 0, None, None, 90]


async def test_a_member_given_no_partitions_has_nothing_to_read(monkeypatch: pytest.MonkeyPatch) -> None:
    assert await _lags_after([_assign()], monkeypatch) == [0]


async def test_the_group_lag_counts_every_partition_of_its_topics_whoever_holds_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module, "AIOKafkaConsumer", _Client)

    async def handler(session: Any, event: Any) -> None: ...

    reader = EventConsumer(KafkaConfig("localhost:1"), group_id="g", service="test",
                           handlers={"incident.reported": handler}, sessions=cast(Any, None),
                           dead_letters=cast(Any, None))
    await reader.start()
    client = cast(_Client, reader._consumer)
    p2 = TopicPartition("oneteam.incidents", 2)
    client.partitions = {"oneteam.incidents": {0, 1, 2}}
    client.starts = {P0: 0, P1: 100, p2: 0}
    client.ends = {P0: 50, P1: 130, p2: 7}
    client.commits = {P0: 50, P1: 120}  # partition 2 never committed: read from its start

    assert await reader.group_lag() == 0 + 10 + 7
