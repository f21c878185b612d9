"""Internals of the meeting scheduler (see opop_events.matching.scheduler for the public API)."""
