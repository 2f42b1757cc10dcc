"""Intake service (呼): reports in, incidents out."""
