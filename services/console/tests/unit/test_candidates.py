"""Candidates for an incident: who fits the category's entry and is free comes first, nearest first."""

from oneteam_console.domain.candidates import eta_s, rank

INCIDENT = {"lon": 120.12, "lat": 30.29, "category": "food_safety"}
ENTRY = {"department": "market_regulation", "skills": ["food_safety"]}


def officer(ident: str, lon: float, *, department: str = "market_regulation",
            skills: tuple[str, ...] = ("food_safety",),
            status: str = "available", mode: str = "e_bike") -> dict[str, object]:
    return {"id": ident, "name": ident, "department": department, "skills": list(skills), "status": status,
            "mode": mode, "lon": lon, "lat": 30.29, "stale": False, "active_orders": 0}


def test_a_free_fitting_officer_comes_before_a_nearer_one_without_the_skill() -> None:
    near_unskilled = officer("near", 120.121, skills=())
    far_skilled = officer("far", 120.13)

    ranked = rank([near_unskilled, far_skilled], INCIDENT, ENTRY)

    assert [c.officer_id for c in ranked] == ["far", "near"]
    assert ranked[1].fits is False and "lacks food_safety" in ranked[1].reasons


def test_busy_officers_follow_free_ones_and_say_why() -> None:
    ranked = rank([officer("busy", 120.121, status="on_scene"), officer("free", 120.14)], INCIDENT, ENTRY)

    assert [c.officer_id for c in ranked] == ["free", "busy"]
    assert any(r.startswith("on_scene") for r in ranked[1].reasons)


def test_without_an_entry_anyone_fits_and_the_nearest_leads() -> None:
    ranked = rank([officer("b", 120.15, department="police"), officer("a", 120.125, department="traffic")],
                  INCIDENT, None)

    assert [c.officer_id for c in ranked] == ["a", "b"] and all(c.fits for c in ranked)


def test_the_eta_follows_the_travel_mode() -> None:
    walking = eta_s(officer("w", 120.13, mode="on_foot"), 120.12, 30.29)
    driving = eta_s(officer("c", 120.13, mode="car"), 120.12, 30.29)

    assert walking is not None and driving is not None
    assert 700 < walking < 1100 and driving < walking / 4  # ~964 m of road: ~12 min on foot


def test_an_officer_without_a_position_has_no_eta_and_comes_last_of_the_free() -> None:
    lost = {**officer("lost", 0.0), "lon": None}

    ranked = rank([lost, officer("seen", 120.13)], INCIDENT, ENTRY)

    assert ranked[-1].officer_id == "lost" and ranked[-1].eta_s is None and "no position" in ranked[-1].reasons
