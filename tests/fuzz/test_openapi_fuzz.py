"""Property-based fuzzing of intake and dispatch from their own OpenAPI documents (see `fuzzing`)."""

from __future__ import annotations

import uuid

import pytest

from oneteam_devstack.testing import Infra, service_settings
from oneteam_dispatch.main import build as build_dispatch
from oneteam_dispatch.settings import DispatchSettings
from oneteam_intake.main import build as build_intake
from oneteam_intake.settings import IntakeSettings

from .fuzzing import passed, run

# schemathesis' own strategies draw from `random`, which Hypothesis warns about; not ours to fix.
pytestmark = [pytest.mark.integration,
              pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")]


async def test_intake_answers_every_drawn_request_as_its_document_says(
        infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = IntakeSettings(**service_settings(infra, "intake"),  # type: ignore[arg-type]
                              photos_dir=tmp_path_factory.mktemp("fuzz-photos"),
                              consumer_group_suffix=f".fuzz-{uuid.uuid4().hex[:8]}")

    failures = await run(build_intake(settings))

    passed(failures)


async def test_dispatch_answers_every_drawn_request_as_its_document_says(infra: Infra) -> None:
    settings = DispatchSettings(**service_settings(infra, "dispatch"),  # type: ignore[arg-type]
                                consume_incidents=False)

    failures = await run(build_dispatch(settings))

    passed(failures)
