"""Small rules: camera thresholds, signatures, status tokens, privacy, rate limits, feedback, catalog."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from oneteam_contracts import Priority, Satisfaction
from oneteam_intake.domain.catalog import CameraLabel, Catalog, Category
from oneteam_intake.domain.detections import Verdict, judge
from oneteam_intake.domain.feedback import Rating, check_can_rate
from oneteam_intake.domain.privacy import mask_email, mask_name, mask_phone, scrub
from oneteam_intake.domain.ratelimit import TokenBuckets
from oneteam_intake.domain.reports import IncidentStatus
from oneteam_intake.domain.tokens import report_token, token_matches
from oneteam_servicekit.errors import Conflict, InvalidRequest
from oneteam_servicekit.signatures import BadSignature, sign, verify

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=5)
KEY = b"platform-key"
VENDING = Category("street_vending", "流动摊贩", "Street vending", Priority.NORMAL, 80, timedelta(hours=2), True,
                   ("摆摊", "vendor"))
NOISE = Category("noise", "噪声扰民", "Noise nuisance", Priority.NORMAL, 150, timedelta(hours=3), False,
                 ("噪音", "loud"))
LABEL = CameraLabel("street_vendor", "street_vending", 0.5, 0.75, timedelta(minutes=30))


@pytest.mark.parametrize(("confidence", "verdict"), [(0.49, Verdict.IGNORE), (0.5, Verdict.REVIEW),
                                                     (0.74, Verdict.REVIEW), (0.75, Verdict.ACCEPT)])
def test_confidence_thresholds(confidence: float, verdict: Verdict) -> None:
    assert judge(LABEL, VENDING, confidence) is verdict


def test_a_category_off_the_auto_dispatch_list_always_goes_to_review() -> None:
    assert judge(LABEL, NOISE, 0.99) is Verdict.REVIEW


def test_a_correct_signature_within_the_window_is_accepted() -> None:
    stamp = str(int(NOW.timestamp()) - 299)
    body = b'{"a": 1}'

    verify(KEY, stamp, sign(KEY, stamp, body), body, now=NOW, window=WINDOW)


@pytest.mark.parametrize(("stamp_offset", "body", "key", "reason"), [
    (0, b'{"a": 2}', KEY, "does not match"),
    (0, b'{"a": 1}', b"other", "does not match"),
    (-301, b'{"a": 1}', KEY, "from the server's clock"),
    (301, b'{"a": 1}', KEY, "from the server's clock"),
])
def test_tampered_or_stale_pushes_are_refused(stamp_offset: int, body: bytes, key: bytes, reason: str) -> None:
    stamp = str(int(NOW.timestamp()) + stamp_offset)
    signature = sign(key, stamp, b'{"a": 1}')

    with pytest.raises(BadSignature, match=reason):
        verify(KEY, stamp, signature, body, now=NOW, window=WINDOW)


def test_the_timestamp_is_bound_into_the_signature() -> None:
    old = str(int(NOW.timestamp()) - 3600)
    signature = sign(KEY, old, b"{}")

    with pytest.raises(BadSignature, match="does not match"):
        verify(KEY, str(int(NOW.timestamp())), signature, b"{}", now=NOW, window=WINDOW)


@pytest.mark.parametrize(("stamp", "signature"), [(None, "sha256=00"), ("123", None), ("yesterday", "sha256=00")])
def test_missing_or_malformed_headers_are_refused(stamp: str | None, signature: str | None) -> None:
    with pytest.raises(BadSignature):
        verify(KEY, stamp, signature, b"{}", now=NOW, window=WINDOW)


def test_status_token_belongs_to_one_report_and_one_secret() -> None:
    report = uuid4()
    token = report_token(b"secret-one-long-enough", report)

    assert token_matches(b"secret-one-long-enough", report, token)
    assert not token_matches(b"secret-one-long-enough", uuid4(), token)
    assert not token_matches(b"another-secret-entirely", report, token)


@pytest.mark.parametrize("text", ["电话13812345678", "call +86 138-1234-5678 now", "身份证330106199001011234",
                                  "mail zhang.san@example.com", "id 33010619900101123X!"])
def test_scrub_removes_phone_numbers_ids_and_emails(text: str) -> None:
    cleaned = scrub(text)

    assert "[已隐去]" in cleaned
    assert not any(part in cleaned for part in ("12345678", "1234-5678", "example.com", "0101123"))


def test_scrub_keeps_ordinary_numbers() -> None:
    assert scrub("3号楼2单元，约20个摊位，120.12") == "3号楼2单元，约20个摊位，120.12"


def test_masks_keep_only_what_a_reporter_would_recognise() -> None:
    assert mask_phone("13800001111") == "138****1111"
    assert mask_phone("+86 138 0000 1111") == "861******1111"
    assert mask_name("欧阳娜娜") == "欧***" and mask_name("张三") == "张*"
    assert mask_email("zhang@example.com") == "z***@example.com"
    assert mask_phone(None) is None


def test_token_bucket_allows_a_burst_then_refills_per_client() -> None:
    buckets = TokenBuckets(capacity=3, per_second=0.5)

    assert [buckets.take("ip:a", 0.0) for _ in range(3)] == [None, None, None]
    assert buckets.take("ip:a", 0.0) == pytest.approx(2.0)
    assert buckets.take("ip:b", 0.0) is None, "another client has its own bucket"
    assert buckets.take("ip:a", 2.0) is None, "one token back after 2 s"
    assert buckets.take("ip:a", 2.0) is not None


def test_token_buckets_forget_idle_clients_when_full() -> None:
    buckets = TokenBuckets(capacity=1, per_second=1.0, max_clients=2)
    buckets.take("a", 0.0)
    buckets.take("b", 0.0)

    assert buckets.take("c", 10.0) is None
    assert buckets.take("a", 10.0) is None, "a refilled bucket is forgotten, not held against its client"


def test_rating_needs_a_closed_incident_and_cannot_change() -> None:
    rating = Rating(Satisfaction.SATISFIED, None)

    with pytest.raises(Conflict, match="can be rated once it is closed"):
        check_can_rate(IncidentStatus.ASSIGNED, None, rating)
    with pytest.raises(Conflict):
        check_can_rate(None, None, rating)
    assert check_can_rate(IncidentStatus.CLOSED, None, rating) is True
    assert check_can_rate(IncidentStatus.CLOSED, rating, rating) is False, "a retry changes nothing"
    with pytest.raises(Conflict, match="cannot be changed"):
        check_can_rate(IncidentStatus.CLOSED, rating, Rating(Satisfaction.DISSATISFIED, None))


def test_suggestions_come_from_chinese_and_english_keywords() -> None:
    catalog = Catalog({"street_vending": VENDING, "noise": NOISE})

    assert [s.category for s in catalog.suggest("路口有人摆摊，噪音很大，太 loud 了")] == ["noise", "street_vending"]
    assert catalog.suggest("A VENDOR near the gate")[0].category == "street_vending"
    assert catalog.suggest("nothing to see") == []


def test_unknown_category_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidRequest) as refused:
        Catalog({"noise": NOISE}).require("ufo", "service_code")

    assert refused.value.extensions["errors"] == [{"field": "service_code", "reason": "unknown category 'ufo'"}]
