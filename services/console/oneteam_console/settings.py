"""The console's environment."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from oneteam_servicekit import ServiceSettings


class ConsoleSettings(ServiceSettings):
    """`CONSOLE_*` variables: where the other services answer, and how often the page is refreshed."""

    model_config = SettingsConfigDict(env_prefix="CONSOLE_", extra="ignore")

    service_name: str = "console"
    intake_url: str = Field("http://127.0.0.1:8101", description="Intake's base URL (incidents and reports)")
    dispatch_url: str = Field("http://127.0.0.1:8102", description="Dispatch's base URL (board, officers, orders)")
    case_penalty_url: str | None = Field("http://127.0.0.1:8103", description="Case service; empty: no case panel")
    mediation_url: str | None = Field("http://127.0.0.1:8104", description="Mediation; empty: no mediation panel")
    evaluation_url: str | None = Field("http://127.0.0.1:8105", description="Evaluation; empty: KPI tiles off")
    areas_dir: Path | None = Field(None, description="Folder of <tenant>.geojson (districts and grids), "
                                                     "e.g. intake's config/tenants")
    tile_url: str | None = Field(None, description="Optional raster tile URL template of a local map server "
                                                   "({z}/{x}/{y}); none by default, the page works offline")
    refresh_s: float = Field(1.0, gt=0, le=30, description="A page's picture is rebuilt at least this often")
    batch_s: float = Field(0.25, ge=0, description="At most one push per page this often: the changes of many "
                                                   "events (5 000 officers moving) go out as one batch")
    wake_on_events: bool = Field(True, description="Rebuild at once when the incident, order or position topics "
                                                   "carry a record (no consumer group); off: polling only")
    figures_s: float = Field(15.0, gt=0, description="KPI tiles, hotspots, cases and mediations: this often")
    upstream_timeout_s: float = Field(3.0, gt=0)
    timezone: str = Field("Asia/Shanghai", description="Local day for \"closed today\" on the map")
    static_dir: Path = Field(Path(__file__).parent / "static",
                             description="The built page (services/console/web → `make console-web`)")
