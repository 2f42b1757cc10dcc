"""Mediation's rules: plain Python, with time handed in."""
