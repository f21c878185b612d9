"""Notifications: messages to people through a transactional outbox (written with the change, sent after commit)."""
