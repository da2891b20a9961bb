"""Delivery: the outbox, workers, retries, attempts and history. Calls the senders."""
