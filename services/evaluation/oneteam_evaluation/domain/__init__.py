"""The KPIs' rules: facts in, figures out. Pure Python: no web, database or broker."""
