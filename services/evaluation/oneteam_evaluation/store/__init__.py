"""The read model's tables, the order-independent writes and the reads behind the figures."""
