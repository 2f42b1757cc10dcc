"""Intake's HTTP edge: one router per source, plus staff and reporter views."""
