"""The rules of a case: pure Python, time passed in, no web, database or broker."""
