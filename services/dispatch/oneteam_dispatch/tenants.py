"""Each tenant's configuration at run time: files for districts and checklists, the database
for the responsibility list (seeded from the file, then edited through the admin API)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_dispatch.config import ResponsibilitiesIn, TenantConfig, load_tenant_file, responsibility_list
from oneteam_dispatch.domain.joint import ChecklistItem
from oneteam_dispatch.domain.matching import Policy
from oneteam_dispatch.domain.responsibility import ResponsibilityList
from oneteam_dispatch.store import responsibilities as store

log = logging.getLogger(__name__)


class Tenants:
    """Configuration of every tenant this deployment serves."""

    def __init__(self, files: list[Path], stale_after: timedelta) -> None:
        self.files = {c.tenant: c for c in (load_tenant_file(path) for path in files)}
        self._paths = {c.tenant: path for c, path in zip(self.files.values(), files, strict=True)}
        self._stale_after = stale_after
        self._lists: dict[tuple[str, int], ResponsibilityList] = {}

    def get(self, tenant: str) -> TenantConfig | None:
        """The tenant's file configuration, if it has one."""
        return self.files.get(tenant)

    def policy(self, tenant: str) -> Policy:
        """Matching policy of a tenant: its district neighbourhoods and the staleness limit."""
        config = self.files.get(tenant)
        return Policy(neighbours=config.neighbours if config else {}, stale_after=self._stale_after)

    def checklists(self, tenant: str) -> dict[str, list[ChecklistItem]]:
        """Joint-inspection checklists by department."""
        config = self.files.get(tenant)
        return config.checklists if config else {}

    async def seed(self, session: AsyncSession, now: datetime) -> None:
        """Store each file's list as version 1 for tenants that have no list yet."""
        for tenant, config in self.files.items():
            if await store.latest(session, tenant) is None:
                document = ResponsibilitiesIn(sla_profiles=config.source.sla_profiles,
                                              entries=config.source.entries).model_dump(mode="json")
                await store.add_version(session, tenant, document, f"config:{self._paths[tenant].name}",
                                        "loaded from the configuration file", now)
                log.info("responsibility list of %s seeded from %s", tenant, self._paths[tenant])

    async def responsibilities(self, session: AsyncSession, tenant: str) -> ResponsibilityList | None:
        """The tenant's current list, or None when it has none."""
        found = await store.latest(session, tenant)
        if found is None:
            return None
        version, document = found
        cached = self._lists.get((tenant, version))
        if cached is None:
            cached = responsibility_list(tenant, version, ResponsibilitiesIn.model_validate(document))
            self._lists[(tenant, version)] = cached
        return cached
