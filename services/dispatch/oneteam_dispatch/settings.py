"""Dispatch's environment."""

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from oneteam_servicekit import ServiceSettings


class DispatchSettings(ServiceSettings):
    """`DISPATCH_*` variables; `DATABASE_URL` alone also works in dispatch's own container."""

    model_config = SettingsConfigDict(env_prefix="DISPATCH_", extra="ignore")

    service_name: str = "dispatch"
    database_url: str = Field(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/dispatch",
        validation_alias=AliasChoices("DISPATCH_DATABASE_URL", "DATABASE_URL"),
    )
    # Dispatch's events reach other services and platforms, never an officer (the push channel
    # does): 25 ms of waiting under load costs them nothing, and fewer, fuller relay rounds cut
    # dispatch's CPU in the load test by ~7 % (10 reports/s, 2 000 officers; 50 ms: ~10 %).
    outbox_round_gap_ms: float = Field(
        25, ge=0, le=1000, description="the kit's relay round gap, 25 ms for dispatch (0 elsewhere)")
    roster_file: str | None = Field(
        None, description="YAML or JSON roster of officers loaded (upserted) at start-up, e.g. a demo roster"
    )
    config_dir: str | None = Field(
        None, description="Folder of <tenant>/responsibilities.yaml files; default: the shipped demo tenant's",
    )
    # 50 ms, measured (pipeline benchmark, quiet machine): report → order p99 at 5 / 20 / 40 reports/s
    # was 296 / 457 / 768 ms with 150 ms and 155 / 400 / 504 ms with 50; the simulator shows a
    # window gains nothing on arrivals, and a camera batch's incidents still meet in 50 ms.
    batch_window_ms: int = Field(
        50, ge=0, description="How long the matcher lets incidents gather before matching them together",
    )
    position_flush_ms: int = Field(
        50, ge=0, le=1000,
        description="How long officers' position posts gather before one transaction writes them all (group commit)",
    )
    # A terminal streaming fixes does not wait on a frame's answer to go on, so its frames can
    # gather longer: four times fewer flushes, each carrying four times the fixes (measured in
    # dispatch's README). A post arriving meanwhile brings the flush forward for all of them.
    position_stream_flush_ms: int = Field(
        200, ge=0, le=1000,
        description="How long fixes sent over the position stream gather before their group commit",
    )
    # Maps need where officers are to within a street; every fix as an event was a fifth of the
    # suite's CPU for 2 000 officers (load test). 0 publishes every flush's newest fix.
    position_publish_s: float = Field(
        15.0, ge=0, le=300,
        description="An officer's position goes to the compacted positions topic at most this often "
                    "(a newer fix waits its turn, and goes out then)",
    )
    position_publish_moved_m: float = Field(
        50.0, ge=0, description="...or at once when the officer moved this far from the last position published",
    )
    matcher_poll_s: float = Field(1.0, gt=0, description="Matcher's fallback poll when no notification comes")
    scheduler_poll_s: float = Field(0.5, gt=0, description="How often due deadlines are looked for")
    arrive_radius_m: float = Field(200.0, gt=0, description="How close to the incident an arrival must be")
    stale_after_s: float = Field(180.0, gt=0, description="Position fixes older than this count as stale")
    background: bool = Field(True, description="Run the matcher and deadline scheduler in this process")
    consume_incidents: bool = Field(
        True, description="Consume incident.reported; off for an API-only replica (and tests that need no Kafka input)",
    )
    consumer_group_suffix: str = Field(
        "", description="appended to consumer group names: for a second dispatch on the same Kafka cluster "
                        "(staging beside production, or a test beside a running suite) that must not share offsets")
