"""A refresh pushes only what changed: the batch that keeps 5 000 moving officers cheap for the page."""

from datetime import UTC, datetime, timedelta

from oneteam_console.domain.delta import delta
from oneteam_console.domain.picture import Picture

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def picture(officers: dict[str, tuple[float, float]], queue: list[dict[str, object]] | None = None,
            at: datetime = NOW) -> Picture:
    return Picture(at=at, incidents={}, officers={k: {"id": k, "lon": lon, "lat": lat, "status": "available"}
                                                  for k, (lon, lat) in officers.items()},
                   queue=queue or [], clocks=[], alerts=[])


def test_a_moved_officer_is_the_only_one_sent() -> None:
    before = picture({f"o{i}": (120.1, 30.2) for i in range(5000)})
    moved = dict(before.officers)
    moved["o42"] = {**moved["o42"], "lon": 120.2}
    after = Picture(at=NOW + timedelta(seconds=1), incidents={}, officers=moved, queue=[], clocks=[], alerts=[])

    batch = delta(before, after)

    assert batch is not None
    assert [o["id"] for o in batch["officers"]["upsert"]] == ["o42"]
    assert "incidents" not in batch and "queue" not in batch


def test_an_officer_who_left_is_named_for_removal() -> None:
    batch = delta(picture({"a": (1, 1), "b": (2, 2)}), picture({"a": (1, 1)}))

    assert batch is not None and batch["officers"] == {"upsert": [], "remove": ["b"]}


def test_nothing_changed_means_no_batch() -> None:
    assert delta(picture({"a": (1, 1)}), picture({"a": (1, 1)}, at=NOW + timedelta(seconds=1))) is None


def test_a_changed_queue_is_sent_whole() -> None:
    row = {"incident_id": "x", "since": NOW.isoformat(), "reason": "officers_taken"}

    batch = delta(picture({}), picture({}, queue=[row]))

    assert batch is not None and batch["queue"] == [row]
