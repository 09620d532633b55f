"""Server services: the rules. Callers own the transaction (services flush, never commit)."""
