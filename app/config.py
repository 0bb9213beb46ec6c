"""Settings: where data lives and every limit, each overridable by an LL_* environment variable."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Runtime configuration; read once from the environment (prefix LL_)."""

    model_config = SettingsConfigDict(env_prefix="LL_")

    data_dir: Path = Field(default=ROOT / "data", description="SQLite file and saved sessions")
    host: str = Field("127.0.0.1", description="the address the server is bound to")
    port: int = 8000
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="extra Host header names to answer to (loopback names always are, "
        "when bound to loopback); off loopback, empty means any name, guarded by the token",
    )
    token: str | None = Field(None, description="access token off loopback (default: random)")
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="other origins (scheme://host[:port]) whose pages may open the stream and "
        "send POST/PUT/PATCH/DELETE; the server's own origin always may",
    )

    max_upload_bytes: int = 20 * 1024 * 1024
    max_rows: int = 200_000
    max_columns: int = 200
    max_classes: int = 50
    max_hidden_layers: int = 6
    max_neurons: int = 32
    max_grid: int = 200
    max_steps_per_request: int = 1_000_000
    max_seconds_per_request: float = 10.0
    max_live_sessions: int = 200
    max_control_message_bytes: int = 4096
    max_body_bytes: int = 8 * 1024 * 1024  # a JSON request body (uploads: max_upload_bytes)
    max_error_echo_chars: int = 200
    rest_training_threads: int = 2
    durable_seconds: float = 0.5

    database_url: str | None = Field(
        None, description="postgresql://… to share one PostgreSQL store between processes and "
        "machines; unset: the embedded SQLite file in data_dir")
    worker: str = Field("main", description="this process's name in a class (make class), "
                        "shown by /api/health and used as the holder of its session leases")
    lease_seconds: float = Field(5.0, description="a session lease lasts this long unless "
                                 "renewed; a dead process's sessions move after it")

    frame_rate: float = 30.0
    save_interval_seconds: float = 5.0
    idle_seconds: float = 600.0

    @property
    def db_path(self) -> Path:
        return self.data_dir / "logistic_lens.sqlite3"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests build their own Settings and pass them to create_app)."""
    return Settings()
