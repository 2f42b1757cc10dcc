"""Mediation (为 · 阳光调解室): disputes settled at the source, agreements kept, failures handed on."""
