"""AI-camera detections: confidence thresholds per label, and the auto-dispatch list."""

from __future__ import annotations

from enum import StrEnum

from oneteam_intake.domain.catalog import CameraLabel, Category


class Verdict(StrEnum):
    """What to do with one detection."""

    IGNORE = "ignore"  # below the label's floor: noise
    REVIEW = "review"  # a person confirms it first
    ACCEPT = "accept"  # straight through to an incident


def judge(label: CameraLabel, category: Category, confidence: float) -> Verdict:
    """Below `ignore_below` → ignore; below `review_below`, or a category not on the
    auto-dispatch list → review; otherwise accept."""
    if confidence < label.ignore_below:
        return Verdict.IGNORE
    if confidence < label.review_below or not category.auto_dispatch:
        return Verdict.REVIEW
    return Verdict.ACCEPT
