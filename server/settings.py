"""Server settings: one pydantic-settings class read from `LINLI_*` environment variables."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator may tune; each field is also `LINLI_<FIELD>` in the environment."""

    model_config = SettingsConfigDict(env_prefix="LINLI_", extra="ignore")

    database_url: str = "sqlite:///linli-server.sqlite3"
    max_batch: int = Field(default=1000, ge=1)
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    rate_limit_per_second: float = Field(default=20.0, gt=0)
    rate_limit_burst: int = Field(default=40, ge=1)
    pull_max_limit: int = Field(default=1000, ge=1)
    pull_default_limit: int = Field(default=500, ge=1)
    # Threads a process runs blocking work on (database, templates); each holds at most one
    # pooled database connection. More threads than cores only trade the GIL back and forth.
    request_threads: int = Field(default=16, ge=1)
    # The web console (docs/WEB.md)
    web_session_hours: float = Field(default=12.0, gt=0)
    web_secure_cookies: bool = False  # set true when served over HTTPS
    login_max_failures: int = Field(default=5, ge=1)  # per username in the window
    login_client_max_failures: int = Field(default=20, ge=1)  # per client address in the window
    login_window_minutes: float = Field(default=15.0, gt=0)
    live_heartbeat_seconds: float = Field(default=15.0, gt=0)
    kiosk_seen_flush_seconds: float = Field(default=30.0, gt=0)  # reachability resolution
    # Escalation of unanswered alarms (docs/WEB.md, "Escalation")
    escalation_chain_file: str = ""  # empty: assets/escalation/default_chain.yaml
    escalation_tick_seconds: float = Field(default=1.0, gt=0)  # how often due steps are fired
    escalation_webhook: str = ""  # a gateway URL for every step of the default chain without one
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    webhook_max_attempts: int = Field(default=6, ge=1)
    webhook_retry_base_seconds: float = Field(default=2.0, gt=0)  # doubles after each failure
    webhook_retry_cap_seconds: float = Field(default=300.0, gt=0)
    public_url: str = ""  # how gateways' messages link to the console, e.g. https://linli.example
    # Local dates: the Monday a week starts (visit diary, satisfaction, weekly report).
    community_timezone: str = "Asia/Shanghai"
    visit_target_per_week: int = Field(default=10, ge=1)  # distinct households per worker
    grocery_claim_limit: int = Field(default=2, ge=1)  # grocery orders one volunteer holds at once

    @field_validator("community_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name like Asia/Shanghai") from exc
        return value
