"""Sales handoffs: routing, storage, notifications."""
