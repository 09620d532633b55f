"""Server settings: one pydantic-settings class read from `LINLI_*` environment variables."""

from __future__ import annotations

from pydantic import Field
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
