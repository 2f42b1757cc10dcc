"""The matcher reads only the officers it could choose, with their open orders counted once.

Officers and orders are written straight to a real PostgreSQL; the matcher runs by hand
(no background loops, no consumer), as in ``test_lock_order``.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, text

from oneteam_contracts import GeoPoint, Priority
from oneteam_devstack.testing import Infra
from oneteam_dispatch.domain.matching import Demand, match
from oneteam_dispatch.domain.officers import Officer, OfficerStatus, TravelMode
from oneteam_dispatch.domain.reach import reachable, reaches
from oneteam_dispatch.domain.responsibility import Need
from oneteam_dispatch.main import build
from oneteam_dispatch.runtime import DispatchRuntime
from oneteam_dispatch.store import incidents as incident_store
from oneteam_dispatch.store import officers as officer_store
from oneteam_dispatch.store.tables import assignments

from .conftest import COMMANDER, TENANT, Area, dispatch_settings, served

pytestmark = pytest.mark.integration
OTHER_TENANT = "330106005"
DEPARTMENTS = ("comprehensive_enforcement", "market_regulation")
SKILLS = ("street_order", "food_safety", "fire_safety")


@pytest.fixture(scope="module")
async def runtime(infra: Infra, config_dir: Any) -> AsyncIterator[tuple[DispatchRuntime, Any]]:
    app = build(dispatch_settings(infra, config_dir, background=False, consume_incidents=False))
    async with served(app) as client:
        yield app.state.runtime, client


def _officer(officer_id: str, at: dict[str, float], *, tenant: str = TENANT, mode: TravelMode = TravelMode.E_BIKE,
             department: str = DEPARTMENTS[0], skills: frozenset[str] = frozenset({"street_order"}),
             status: OfficerStatus = OfficerStatus.AVAILABLE) -> Officer:
    return Officer(id=officer_id, tenant=tenant, name=officer_id, team=None, status=status,
                   position=GeoPoint(**at), last_assigned_at=None, department=department, skills=skills, mode=mode,
                   position_at=datetime.now(UTC) - timedelta(seconds=20))


async def _add(rt: DispatchRuntime, officers: list[Officer]) -> None:
    async with rt.transaction() as session:
        for o in officers:
            await officer_store.upsert_officer(session, o)


async def test_the_batch_read_holds_exactly_the_officers_matching_could_choose(runtime: Any, area: Area,
                                                                              ids: Any) -> None:
    rt, _ = runtime
    rng = random.Random(3)
    crowd = [_officer(ids(f"o{i:03d}"), area.at(rng.uniform(-6000, 6000), rng.uniform(-6000, 6000)),
                      mode=rng.choice(list(TravelMode)), department=rng.choice(DEPARTMENTS),
                      skills=frozenset(rng.sample(SKILLS, rng.randint(0, 2))),
                      status=rng.choice([OfficerStatus.AVAILABLE] * 4 + [OfficerStatus.ON_SCENE]))
             for i in range(300)]
    await _add(rt, crowd)
    demands = [Demand(uuid.uuid4(), TENANT, GeoPoint(**area.at(rng.uniform(-3000, 3000), rng.uniform(-3000, 3000))),
                      tuple(Need(d, frozenset(rng.sample(SKILLS, rng.randint(0, 1))))
                            for d in rng.sample(DEPARTMENTS, rng.randint(1, 2))),
                      priority=rng.choice(list(Priority)), arrive_within_s=rng.choice([120.0, 300.0, 600.0]))
               for _ in range(12)]
    policy = rt.tenants.policy(TENANT)
    reach = reaches(demands, policy)
    now = rt.clock.now()

    async with rt.transaction() as session:
        read = await officer_store.reachable_officers(session, TENANT, reach)
        everyone = await officer_store.list_officers(session, TENANT, status=OfficerStatus.AVAILABLE)

    assert [o.id for o in read] == [o.id for o in reachable(everyone, reach)]
    assert 0 < len(read) < len(everyone)
    assert match(demands, read, now, policy) == match(demands, everyone, now, policy)


async def test_a_far_officer_by_car_is_sent_when_the_rules_let_them_come_and_not_otherwise(
    runtime: Any, area: Area, ids: Any,
) -> None:
    rt, client = runtime
    # A dispute (rapid_20: arrive within 10 min) 2.5 km from the only car: 519 s by car. The
    # e-bike 2.2 km away needs 660 s, the street vending incident allows 300 s.
    car, bike = ids("car"), ids("bike")
    await _add(rt, [_officer(car, area.at(2500), mode=TravelMode.CAR),
                    _officer(bike, area.at(-2200), mode=TravelMode.E_BIKE)])
    dispute, vending = uuid.uuid4(), uuid.uuid4()
    async with rt.transaction() as session:
        now = rt.clock.now()
        await incident_store.add_incidents(session, [
            incident_store.Reported(id=incident_id, tenant=TENANT, category=category, priority=Priority.NORMAL,
                                    location=GeoPoint(**area.at()), district=None, grid=None, event_id=None,
                                    correlation_id=None, reported_at=now)
            for incident_id, category in ((dispute, "dispute"), (vending, "street_vending"))], now)
    assert rt.matcher is not None
    await rt.matcher.run_once()

    orders = (await client.get("/v1/assignments", params={"incident_id": str(dispute)}, headers=COMMANDER)).json()
    queued = (await client.get("/v1/assignments", params={"incident_id": str(vending)}, headers=COMMANDER)).json()
    assert [o["officer_ids"] for o in orders] == [[car]]
    assert queued == []


_OLD_COUNT = text("""
    SELECT o.id, (SELECT count(*) FROM assignments a
                  WHERE o.id = ANY(a.officer_ids) AND a.status IN ('created', 'acknowledged', 'arrived'))
    FROM officers o WHERE o.id LIKE :prefix""")


async def test_open_orders_are_counted_as_the_per_officer_subquery_counted_them(runtime: Any, area: Area,
                                                                                 ids: Any) -> None:
    rt, _ = runtime
    rng = random.Random(5)
    prefix = ids("load")
    mine = [_officer(f"{prefix}-{i:02d}", area.at(rng.uniform(-500, 500), rng.uniform(-500, 500)),
                     status=rng.choice(list(OfficerStatus)), mode=rng.choice(list(TravelMode))) for i in range(30)]
    theirs = [_officer(f"{prefix}-x{i}", area.at(), tenant=OTHER_TENANT) for i in range(3)]
    await _add(rt, mine + theirs)
    statuses = ["created", "acknowledged", "arrived", "reported", "escalated", "cancelled", "reassigned"]
    rows = []
    for _ in range(80):  # single and joint orders, open and closed, in both tenants
        tenant, pool = rng.choice([(TENANT, mine)] * 4 + [(OTHER_TENANT, theirs)])
        members = [o.id for o in rng.sample(pool, rng.choice([1, 1, 2, 3]))]
        rows.append({"id": uuid.uuid4(), "tenant": tenant, "incident_id": uuid.uuid4(), "officer_id": members[0],
                     "officer_ids": members, "category": "noise", "priority": "normal", "lon": 0.0, "lat": 0.0,
                     "status": rng.choice(statuses), "reason": "test", "deadlines": {},
                     "created_at": datetime.now(UTC)})
    async with rt.transaction() as session:
        await session.execute(insert(assignments), rows)

    async with rt.transaction() as session:
        old = {row[0]: row[1] for row in await session.execute(_OLD_COUNT, {"prefix": f"{prefix}-%"})}
        by_tenant = {o.id: o.active_orders for o in await officer_store.list_officers(session, TENANT)
                     if o.id.startswith(prefix)}
        by_ids = {o.id: o.active_orders for o in await officer_store.list_officers(session, ids=sorted(old))}
        one_by_one = {i: o.active_orders for i in sorted(old)
                      if (o := await officer_store.get_officer(session, i)) is not None}
        everywhere = Demand(uuid.uuid4(), TENANT, GeoPoint(**area.at()), (Need(DEPARTMENTS[0]),),
                            arrive_within_s=3600.0)
        read = {o.id: o.active_orders for o in await officer_store.reachable_officers(
            session, TENANT, reaches([everywhere], rt.tenants.policy(TENANT))) if o.id.startswith(prefix)}

    assert sum(old.values()) > 20 and max(old.values()) >= 2  # a mixed fixture: busy, very busy, idle
    assert by_ids == one_by_one == old
    assert by_tenant == {i: n for i, n in old.items() if i.startswith(f"{prefix}-") and "-x" not in i}
    assert read == {o.id: old[o.id] for o in mine if o.status is OfficerStatus.AVAILABLE}


async def test_officers_kept_between_reads_are_read_again_once_their_rows_change(runtime: Any, area: Area,
                                                                                ids: Any) -> None:
    rt, _ = runtime
    rng = random.Random(8)
    crowd = [_officer(ids(f"k{i:02d}"), area.at(rng.uniform(-800, 800), rng.uniform(-800, 800))) for i in range(40)]
    await _add(rt, crowd)
    kept = officer_store.RosterRows()
    here = Demand(uuid.uuid4(), TENANT, GeoPoint(**area.at()), (Need(DEPARTMENTS[0]),), arrive_within_s=3600.0)
    reach = reaches([here], rt.tenants.policy(TENANT))

    async def both() -> tuple[list[Officer], list[Officer]]:
        async with rt.transaction() as session:
            return (await officer_store.reachable_officers(session, TENANT, reach, kept),
                    await officer_store.reachable_officers(session, TENANT, reach))

    first, fresh = await both()
    assert first == fresh and len(first) >= 40
    again, _ = await both()
    mine = {o.id for o in crowd}  # without open orders: an officer with some is a counted copy
    assert all(a is b for a, b in zip(again, first, strict=True) if a.id in mine)  # none built again

    moved, busy, loaded = crowd[0].id, crowd[1].id, crowd[2].id
    async with rt.transaction() as session:
        await session.execute(text("UPDATE officers SET lon = lon + 0.001, position_at = now() WHERE id = :id"),
                              {"id": moved})
        await officer_store.set_status(session, [busy], OfficerStatus.ASSIGNED)
        await session.execute(insert(assignments), [{
            "id": uuid.uuid4(), "tenant": TENANT, "incident_id": uuid.uuid4(), "officer_id": loaded,
            "officer_ids": [loaded], "category": "noise", "priority": "normal", "lon": 0.0, "lat": 0.0,
            "status": "created", "reason": "test", "deadlines": {}, "created_at": datetime.now(UTC)}])
    with pytest.raises(RuntimeError):  # a change rolled back: its version was never seen, the old one is back
        async with rt.transaction() as session:
            await officer_store.set_status(session, [crowd[3].id], OfficerStatus.OFF_DUTY)
            raise RuntimeError("rolled back")

    after, fresh = await both()
    assert after == fresh
    by_id = {o.id: o for o in after}
    assert busy not in by_id
    assert by_id[moved].position != next(o for o in first if o.id == moved).position
    assert by_id[loaded].active_orders == 1
    assert crowd[3].id in by_id


async def _kept(rt: DispatchRuntime, kept: officer_store.RosterRows, tenant: str = TENANT) -> set[str]:
    async with rt.transaction() as session:
        return {o.id for o in await kept.available(session, tenant)}


async def test_a_change_committed_after_a_read_began_is_seen_by_the_next_read(runtime: Any, area: Area,
                                                                              ids: Any) -> None:
    rt, _ = runtime
    late = _officer(ids("late"), area.at())
    await _add(rt, [late])
    kept = officer_store.RosterRows()
    assert late.id in await _kept(rt, kept)

    async with rt.transaction() as writer:  # in progress while the next read takes its mark
        await officer_store.set_status(writer, [late.id], OfficerStatus.OFF_DUTY)
        assert late.id in await _kept(rt, kept)  # not committed: still available to others
    assert late.id not in await _kept(rt, kept)  # committed after that read's mark: read again


async def test_a_transactions_own_writes_count_for_its_read_but_are_not_kept(runtime: Any, area: Area,
                                                                             ids: Any) -> None:
    rt, _ = runtime
    busy = _officer(ids("own"), area.at())
    await _add(rt, [busy])
    kept = officer_store.RosterRows()
    assert busy.id in await _kept(rt, kept)

    with pytest.raises(RuntimeError):
        async with rt.transaction() as session:  # a match that orders the officer, then fails
            await officer_store.set_status(session, [busy.id], OfficerStatus.ASSIGNED)
            assert busy.id not in {o.id for o in await kept.available(session, TENANT)}
            raise RuntimeError("rolled back")
    assert busy.id in await _kept(rt, kept)  # the rollback left nothing behind


async def test_an_officer_moved_to_another_tenant_leaves_the_first(runtime: Any, area: Area, ids: Any) -> None:
    rt, _ = runtime
    moving = _officer(ids("move"), area.at())
    await _add(rt, [moving])
    kept = officer_store.RosterRows()
    assert moving.id in await _kept(rt, kept)

    async with rt.transaction() as session:
        await session.execute(text("UPDATE officers SET tenant = :t WHERE id = :id"),
                              {"t": OTHER_TENANT, "id": moving.id})
    assert moving.id not in await _kept(rt, kept)
    assert moving.id in await _kept(rt, kept, OTHER_TENANT)


async def test_a_deleted_officer_is_gone_after_the_next_full_read(runtime: Any, area: Area, ids: Any) -> None:
    rt, _ = runtime
    gone = _officer(ids("gone"), area.at())
    await _add(rt, [gone])
    kept = officer_store.RosterRows(full_every_s=0.0)  # every read reads the whole table
    assert gone.id in await _kept(rt, kept)

    async with rt.transaction() as session:
        await session.execute(text("DELETE FROM officers WHERE id = :id"), {"id": gone.id})
    assert gone.id not in await _kept(rt, kept)


async def test_the_kept_arrays_follow_every_kind_of_change_as_a_fresh_read_sees_it(runtime: Any, area: Area,
                                                                                  ids: Any) -> None:
    rt, _ = runtime
    rng = random.Random(13)
    prefix = ids("arr")

    def someone(n: int) -> Officer:
        return _officer(f"{prefix}-{n:03d}", area.at(rng.uniform(-3000, 3000), rng.uniform(-3000, 3000)),
                        mode=rng.choice(list(TravelMode)), department=rng.choice(DEPARTMENTS),
                        skills=frozenset(rng.sample(SKILLS, rng.randint(0, 2))))

    crowd = [someone(n) for n in range(0, 120, 2)]  # gaps, so a newcomer takes a place inside the order
    await _add(rt, crowd)
    kept = officer_store.RosterRows()
    demands = [Demand(uuid.uuid4(), TENANT, GeoPoint(**area.at(rng.uniform(-2000, 2000), rng.uniform(-2000, 2000))),
                      (Need(rng.choice(DEPARTMENTS), frozenset(rng.sample(SKILLS, rng.randint(0, 1)))),),
                      arrive_within_s=rng.choice([300.0, 600.0])) for _ in range(6)]
    reach = reaches(demands, rt.tenants.policy(TENANT))

    async def compare(session: Any) -> None:
        everyone = await officer_store.list_officers(session, TENANT, status=OfficerStatus.AVAILABLE)
        kept_read = await kept.reachable(session, TENANT, reach)
        assert [o.id for o in kept_read] == [o.id for o in reachable(everyone, reach)]

    async with rt.transaction() as session:
        await compare(session)  # the arrays are built here; every later round changes them
    for round_ in range(8):
        async with rt.transaction() as session:
            for o in rng.sample(crowd, 12):
                change = rng.choice(["move", "status", "kind", "tenant"])
                if change == "move":
                    await session.execute(text("UPDATE officers SET lon = lon + :d, lat = lat - :d WHERE id = :id"),
                                          {"d": rng.uniform(-0.02, 0.02), "id": o.id})
                elif change == "status":
                    await officer_store.set_status(session, [o.id], rng.choice(list(OfficerStatus)))
                elif change == "kind":
                    await session.execute(text("UPDATE officers SET mode = :m, skills = :s WHERE id = :id"), {
                        "m": rng.choice(list(TravelMode)).value, "s": rng.sample(SKILLS, rng.randint(0, 3)),
                        "id": o.id})
                else:
                    await session.execute(text("UPDATE officers SET tenant = :t WHERE id = :id"),
                                          {"t": rng.choice([TENANT, OTHER_TENANT]), "id": o.id})
            if round_ % 3 == 1:  # a newcomer between two kept officers
                newcomer = someone(2 * rng.randrange(60) + 1)
                crowd.append(newcomer)
                await officer_store.upsert_officer(session, newcomer)
        async with rt.transaction() as session:
            await compare(session)
    with pytest.raises(RuntimeError):
        async with rt.transaction() as session:  # a transaction's own writes: seen by its read alone
            await officer_store.set_status(session, [o.id for o in crowd[:20]], OfficerStatus.AVAILABLE)
            await compare(session)
            raise RuntimeError("rolled back")
    async with rt.transaction() as session:
        await compare(session)
