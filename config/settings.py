"""Product settings, read from `ZI_*` environment variables (and a `.env` file).

The defaults make the embedded mode work with zero configuration: a SQLite file under the
data folder. Secrets are `SecretStr` so that they never print in logs, errors or artifacts.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_FRAMEWORK = "permenpanrb-90-2021"
DEFAULT_PORTAL_URL = "http://127.0.0.1:8000"


class Settings(BaseSettings):
    """Everything an operator can set; each field is `ZI_<NAME>` in the environment."""

    model_config = SettingsConfigDict(
        env_prefix="ZI_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(
        default=Path.home() / ".local" / "share" / "zi-orchestrator",
        description="Folder for the embedded SQLite database, reports and packages.",
    )
    database_url: SecretStr | None = Field(
        default=None,
        description="SQLAlchemy URL of the database; unset means SQLite under data_dir. "
        "May hold a password, hence secret.",
    )
    framework: str = Field(
        default=DEFAULT_FRAMEWORK, description="LKE framework used when none is named."
    )
    frameworks_dir: Path | None = Field(
        default=None,
        description="Extra folder searched for framework files before the bundled ones.",
    )
    timezone: str = Field(default="Asia/Jakarta", description="Time zone of dates and schedules.")
    calendar_file: Path | None = Field(
        default=None, description="Milestone template replacing config/calendar.yaml."
    )
    proposal_deadline_text: str | None = Field(
        default=None,
        alias="ZI_PROPOSAL_DEADLINE",
        description="MM-DD of the proposal deadline when TPN announces one other than 31 May.",
    )
    monitor_cron: str = Field(default="0 7 * * 1", description="TPI monitoring: Mondays 07:00.")
    reminder_cron: str = Field(default="0 8 * * 1-5", description="Reminders: working days 08:00.")
    work_pool: str = Field(
        default="zi-orchestrator", description="Prefect work pool of `zi deploy` and `zi worker`."
    )
    monitor_concurrency: int = Field(
        default=4, ge=1, description="Instansi periods monitored at once in a national run."
    )
    propose_concurrency: int = Field(
        default=4, ge=1, description="Proposal packages built at once on the work pool."
    )

    smtp_host: str | None = Field(
        default=None, description="SMTP relay; unset means the local sink (a Maildir)."
    )
    smtp_port: int | None = Field(default=None, description="Default 465 (TLS), 587, or 25.")
    smtp_username: str | None = None
    smtp_password: SecretStr | None = Field(default=None, description="A secret: never printed.")
    smtp_starttls: bool = False
    smtp_tls: bool = Field(default=False, description="Implicit TLS (SMTPS, port 465).")
    smtp_sender: str = "Zona Integritas <noreply@zi-orchestrator.localhost>"
    smtp_timeout: float = 30.0
    smtp_concurrency: int = Field(default=4, description="SMTP connections used at once.")
    smtp_max_attempts: int = Field(default=5, description="Tries per message on transient errors.")
    outbox_claim_timeout_seconds: int = Field(
        default=600, description="After this, a claim by a run that died may be taken over."
    )
    reminder_days_before: str = Field(default="14,7,1,0", description="T-n days to remind.")
    reminder_overdue_every_days: int = 3
    reminder_escalate_after_days: int = 7
    reminder_escalation_cap: int = Field(
        default=3, description="Escalations per item; after them it is only in the weekly digest."
    )
    reminder_skip_non_working_days: bool = True
    inbox_dir: Path | None = Field(
        default=None,
        description="Folder where filled LKE workbooks are dropped; default <data_dir>/inbox.",
    )
    inbox_settle_seconds: float = Field(
        default=30.0,
        description="A file changed more recently than this is left for the next scan "
        "(it may still be being written).",
    )
    inbox_zip_max_entries: int = Field(
        default=20_000, ge=1, description="Entries an evidence zip in the inbox may hold."
    )
    inbox_zip_max_bytes: int = Field(
        default=4 << 30,
        ge=1,
        description="Bytes an evidence zip in the inbox may unpack to (counted while unpacking).",
    )
    inbox_zip_max_ratio: float = Field(
        default=100.0,
        gt=1,
        description="How many times its compressed size one entry may unpack to (zip bombs).",
    )
    designation_requires_all_criteria: bool = Field(
        default=False,
        description="An instansi's policy: designate only units that meet all three criteria. "
        "Off by default: the regulation weighs them ('antara lain'), it does not require all.",
    )
    evidence_max_age_years: int | None = Field(
        default=None,
        ge=0,
        description="Flags (never leaves out) evidence dated more than this many years before "
        "the assessment year; unset, nothing is flagged. A policy: PermenPANRB 90/2021 sets no "
        "date window for data dukung.",
    )
    package_max_bytes: int | None = Field(
        default=None,
        ge=1,
        description="Largest zip of a proposal package, in bytes (TPN's upload limit): over "
        "it, the evidence files are split into volumes (…-jilid-2.zip, …); unset, one zip.",
    )

    web_base_url: str | None = Field(
        default=None,
        description="The portal's address as people reach it (behind the agency's reverse "
        "proxy: its public https address); sign-in links point there, and the e-mails carry "
        "links to the portal only when it is set.",
    )
    web_secret_key: SecretStr | None = Field(
        default=None,
        description="Signs the portal's sign-in links and forms; unset, a random key is kept in "
        "<data_dir>/portal.key (mode 0600). Set one key for every portal process.",
    )
    web_link_minutes: int = Field(
        default=30, ge=1, le=7 * 24 * 60, description="How long a sign-in link works."
    )
    web_session_hours: int = Field(
        default=12, ge=1, le=30 * 24, description="How long a portal session lasts."
    )
    web_upload_max_bytes: int = Field(
        default=50 << 20, ge=1, description="The largest file the portal takes in one upload."
    )

    @property
    def proposal_deadline(self) -> tuple[int, int] | None:
        """(month, day) of a proposal deadline announced by TPN, if one is configured."""
        if not self.proposal_deadline_text:
            return None
        month, _, day = self.proposal_deadline_text.partition("-")
        return int(month), int(day)

    @property
    def portal_url(self) -> str:
        """The portal's address: the configured one, else where `zi web` serves by default."""
        return (self.web_base_url or DEFAULT_PORTAL_URL).rstrip("/")

    @property
    def inbox(self) -> Path:
        return self.inbox_dir or self.data_dir / "inbox"

    def database_url_value(self) -> str:
        """The URL to connect with; the embedded SQLite file when none is configured."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{self.data_dir / 'zi.db'}"


def today() -> date:
    """Today in the product's time zone (Asia/Jakarta by default), the default `as_of`."""
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """One Settings per process; tests call `get_settings.cache_clear()` after changing env."""
    return Settings()
