"""Root of every test ring: the real-infrastructure fixtures live in one plugin."""

pytest_plugins = ["oneteam_devstack.testing"]
