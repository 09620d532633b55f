"""Records, the kiosk's local store, its outbox and the sync client."""
