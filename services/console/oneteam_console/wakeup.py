"""Events as a doorbell: a record on the incident, order or position topics rebuilds the pictures at once.

The picture itself still comes from the services' APIs (the console owns no copy of their data);
the incident and order topics only say *when* to look, so a new incident reaches the page in
well under the 2 s the command centre expects instead of waiting for the next poll. Position
fixes are kept (the newest per officer) and laid over the last picture, so a moving officer
is drawn without re-reading dispatch's board. Every console replica must hear every record, so
no consumer group is joined: partitions are assigned by hand, from the latest offset. Without a
broker the console still works, by polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from oneteam_console.domain.positions import Fix
from oneteam_contracts import OfficerPositionReported, parse_event
from oneteam_contracts.topics import ASSIGNMENTS, INCIDENTS, OFFICER_POSITIONS
from oneteam_eventbus import KafkaConfig
from oneteam_eventbus.consumer import METADATA_MAX_AGE_MS

log = logging.getLogger(__name__)
TOPICS = (INCIDENTS, ASSIGNMENTS, OFFICER_POSITIONS)


class Bell:
    """One page's doorbell: set when something happened, with what kind of thing."""

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self.kinds: set[str] = set()

    def ring(self, kinds: set[str]) -> None:
        self.kinds |= kinds
        self.event.set()

    def take(self) -> set[str]:
        """What rang since the last call, and silence the bell."""
        kinds, self.kinds = self.kinds, set()
        self.event.clear()
        return kinds


class Wakeup:
    """Rings every open page's bell when something happens on the topics; keeps the newest fixes."""

    def __init__(self, kafka: KafkaConfig | None) -> None:
        self.kafka = kafka
        self.bells: set[Bell] = set()
        self.fixes: dict[str, dict[str, Fix]] = {}  # tenant → officer → newest fix
        self.listening = False
        self._task: asyncio.Task[None] | None = None

    def subscribe(self) -> Bell:
        """A bell for one page; drop it with `unsubscribe` when the page goes."""
        bell = Bell()
        self.bells.add(bell)
        return bell

    def unsubscribe(self, bell: Bell) -> None:
        """Forget a page's bell."""
        self.bells.discard(bell)

    def ring(self, kinds: set[str]) -> None:
        """Wake every page."""
        for bell in self.bells:
            bell.ring(kinds)

    def keep(self, raw: bytes | None) -> None:
        """Remember a position record's fix, if it is newer than the one kept."""
        if raw is None:
            return
        try:
            event = parse_event(raw)
        except Exception:
            return  # not ours to judge: dispatch's consumers dead-letter bad records
        data: Any = event.data
        if not isinstance(data, OfficerPositionReported):
            return
        kept = self.fixes.setdefault(data.tenant, {})
        old = kept.get(data.officer_id)
        if old is None or data.recorded_at > old.recorded_at:
            kept[data.officer_id] = Fix(data.position.lon, data.position.lat, data.recorded_at)

    def start(self) -> None:
        """Listen in the background (reconnecting), unless no broker is configured."""
        if self.kafka is not None:
            self._task = asyncio.create_task(self._listen(), name="console-wakeup")

    async def stop(self) -> None:
        """Stop listening."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _listen(self) -> None:
        assert self.kafka is not None
        while True:
            # A short fetch wait: a broker that holds an empty fetch for the default 500 ms
            # would hold the first record after a quiet spell just as long.
            consumer = AIOKafkaConsumer(bootstrap_servers=self.kafka.bootstrap_servers, enable_auto_commit=False,
                                        fetch_max_wait_ms=100, client_id=f"{self.kafka.client_id}-wakeup",
                                        metadata_max_age_ms=METADATA_MAX_AGE_MS, **self.kafka.security())
            try:
                await consumer.start()
                partitions = [TopicPartition(t.name, p) for t in TOPICS for p in range(t.partitions)]
                consumer.assign(partitions)
                await consumer.seek_to_end(*partitions)
                self.listening = True
                while True:
                    batch = await consumer.getmany(timeout_ms=1000, max_records=10_000)
                    kinds = set()
                    for part, records in batch.items():
                        if not records:
                            continue
                        if part.topic == OFFICER_POSITIONS.name:
                            kinds.add("positions")
                            for record in records:
                                self.keep(record.value)
                        else:
                            kinds.add("work")
                    if kinds:
                        self.ring(kinds)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("event doorbell off, polling only (%s); retrying in 5 s", error)
                await asyncio.sleep(5)
            finally:
                self.listening = False
                with contextlib.suppress(Exception):
                    await consumer.stop()
