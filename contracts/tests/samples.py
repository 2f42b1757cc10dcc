"""Fixed identifiers and instants shared by the sample messages."""

from datetime import UTC, datetime
from uuid import UUID

CUIYUAN = "330106004"  # Cuiyuan subdistrict, Xihu district, Hangzhou
INCIDENT_ID = UUID("8f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b")
ASSIGNMENT_ID = UUID("1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d")
NOW = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
