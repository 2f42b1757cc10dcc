"""The demo catalogue and a fixed clock for the rules' tests."""

from datetime import UTC, datetime

from oneteam_case_penalty.config import DEMO_DIR, load_catalogue
from oneteam_case_penalty.domain.catalogue import Catalogue, Item

NOW = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # a Wednesday morning in Hangzhou, on the eve of Golden Week
CATALOGUE: Catalogue = load_catalogue(DEMO_DIR / "330106004" / "catalogue.yaml")


def item(code: str) -> Item:
    found = CATALOGUE.item(code)
    assert found is not None, code
    return found
