"""The screen's rules: what the page shows, in which order, and what the caller may do. Plain Python."""
