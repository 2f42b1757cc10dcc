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
    refresh_s: float = Field(1.0, gt=0, le=30, description="How often a page's picture is rebuilt and its "
                                                           "changes pushed in one batch")
    figures_every: int = Field(15, ge=1, description="KPI tiles, cases and mediations: every N refreshes")
    upstream_timeout_s: float = Field(3.0, gt=0)
    timezone: str = Field("Asia/Shanghai", description="Local day for \"closed today\" on the map")
    static_dir: Path = Field(Path(__file__).parent / "static",
                             description="The built page (services/console/web → `make console-web`)")
