"""Offline voice: recognition and speech (built in its own issue)."""
