"""Open311 GeoReport v2, so existing civic reporting apps work unchanged.

XML (the standard's format) and JSON by suffix on every endpoint; discovery, services and
service definitions (the category catalog and its attributes), requests (POST with a `media`
photo; GET with the standard's filters), tokens, and the standard's error list. Service codes
are category codes; `jurisdiction_id` is the tenant's division code on every endpoint (default
from settings, unknown → 404). Coordinates are WGS-84; `address_string` alone is refused, since
intake does not geocode. Personal fields (email, names, phone) are stored apart, never returned.
"""

from oneteam_intake.api.open311 import reads, services, submit
from oneteam_servicekit.app import flat

# Discovery and services first; the suffixed request routes before the bare ones they resemble.
router = flat([services.router, submit.router, reads.router])
