"""Evaluation's environment."""

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from oneteam_servicekit import ServiceSettings


class EvaluationSettings(ServiceSettings):
    """`EVALUATION_*` variables; `DATABASE_URL` alone also works in the service's own container."""

    model_config = SettingsConfigDict(env_prefix="EVALUATION_", extra="ignore")

    service_name: str = "evaluation"
    database_url: str = Field(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/evaluation",
        validation_alias=AliasChoices("EVALUATION_DATABASE_URL", "DATABASE_URL"),
    )
    timezone: str = Field("Asia/Shanghai", description="Local time the hour/day/week/month buckets follow")
    closure_sla_hours: float = Field(24.0, gt=0, description="An incident's closure SLA unless its category has one")
    closure_sla_by_category: dict[str, float] = Field(
        default_factory=dict, description='Closure SLA hours per category, JSON: {"noise": 4}')
    repeat_days: int = Field(7, gt=0, description="A second incident of a grid and category this soon is a repeat")
    rapid_minutes: float = Field(20.0, gt=0, description="The rapid response's limit (Hezhuang's 20 minutes)")
    rapid_categories: list[str] = Field(
        default_factory=list, description="Enforcement-type dispute categories held to the rapid response")
    score_weights: dict[str, float] = Field(
        default_factory=dict, description='Scorecard weights per KPI, JSON; default equal over the five scored')
    targets: dict[str, float] = Field(
        default_factory=dict, description='Targets per KPI, JSON: {"satisfaction": 0.99}; default the seed\'s figures')
    alert_window_days: float = Field(7, gt=0, description="The rolling window the targets are checked over")
    alert_interval_s: float = Field(60, gt=0, description="How often the targets are looked at for kpi.alert")
    alerts: bool = Field(True, description="Look at the targets and publish kpi.alert in this process")
    alert_max_lag: int = Field(
        200, ge=0, description="Records the consumer group may be behind with the targets still judged")
    report_hour: int = Field(7, ge=0, le=23, description="Local hour from which yesterday's daily report is made")
    report_hours: dict[str, int] = Field(
        default_factory=dict, description='Per tenant, JSON: {"330106004": 8}; default report_hour')
    report_check_s: float = Field(300, gt=0, description="How often due daily reports are looked for")
    reports: bool = Field(True, description="Make and archive the daily reports in this process")
    consume: bool = Field(True, description="Consume the topics into the read model in this process")
    settle: bool = Field(True, description="Store settled days' KPI samples in this process (see settling.py)")
    settle_after_minutes: float = Field(
        120, ge=0, description="How long after a local day ends its samples are stored; until then they are "
                               "computed at each query (an order's stage deadlines must fall within it)")
    settle_interval_s: float = Field(5, gt=0, description="How often touched days are looked for and stored")
    settle_quiet_s: float = Field(
        30, ge=0, description="A day is stored once no write has touched it for this long (a catch-up "
                              "touches the same days batch after batch; until stored, queries compute them)")
