"""Typed results of the city backend API (the contract between actions and city systems).

The backend uses these same models as its response schemas, so the OpenAPI document at
`/docs` and what the client parses cannot drift apart. Unknown fields are ignored, so a city's
own implementation may return more than we read.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ComplaintStatus = Literal[
    "menunggu", "koordinasi", "disposisi", "proses", "selesai", "ditolak", "duplikat", "dibatalkan"
]
BookingStatus = Literal[
    "proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow", "entered-in-error"
]
AgentRole = Literal["agent", "supervisor", "editor"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


# --- complaints (Open311 GeoReport v2 + extensions) -------------------------------------------


class Service(_Model):
    """One complaint category (Open311 service)."""

    service_code: str
    service_name: str
    description: str = ""
    metadata: bool = False
    type: str = "realtime"
    keywords: list[str] = Field(default_factory=list)
    group: str = ""

    @field_validator("keywords", mode="before")
    @classmethod
    def _split_keywords(cls, value: object) -> object:
        # GeoReport v2 sends keywords as one comma-separated string; callers want the words.
        if isinstance(value, str):
            return [word.strip() for word in value.split(",") if word.strip()]
        return value


class ServiceAttributeValue(_Model):
    key: str
    name: str


class ServiceAttribute(_Model):
    variable: bool = True
    code: str
    datatype: str
    required: bool = False
    datatype_description: str = ""
    order: int = 1
    description: str = ""
    values: list[ServiceAttributeValue] = Field(default_factory=list)


class ServiceDefinition(_Model):
    service_code: str
    attributes: list[ServiceAttribute] = Field(default_factory=list)


class StatusChange(_Model):
    status: ComplaintStatus
    status_label: str
    note: str = ""
    changed_at: dt.datetime
    actor: str = ""


class Complaint(_Model):
    """A complaint as the bot sees it: Open311 fields plus the internal workflow status."""

    ticket: str
    service_code: str
    service_name: str
    status: ComplaintStatus
    status_label: str
    open311_status: Literal["open", "closed"]
    status_notes: str = ""
    description: str = ""
    address: str | None = None
    kelurahan: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None
    jurisdiction_id: str = ""
    agency_responsible: str = ""
    requested_datetime: dt.datetime
    updated_datetime: dt.datetime
    # The agency's target (Open311 expected_datetime); None when there is none or it is closed.
    expected_datetime: dt.datetime | None = None
    supporters_count: int = 0
    awaiting_confirmation: bool = False
    history: list[StatusChange] = Field(default_factory=list)


class ComplaintLookup(_Model):
    """A status look-up by ticket: the full complaint for its reporter, the public view otherwise."""

    role: Literal["reporter", "supporter", "public"]
    complaint: Complaint


class DuplicateCandidate(_Model):
    complaint: Complaint
    distance_m: float | None = None
    reason: Literal["jarak", "lokasi"]


class SupportResult(_Model):
    ticket: str
    supporters_count: int
    already_subscribed: bool


# --- HomeCare ----------------------------------------------------------------------------------


class Puskesmas(_Model):
    id: int
    code: str
    name: str
    city: str
    kecamatan: str
    kelurahan: str
    kelurahan_served: list[str] = Field(default_factory=list)
    address: str = ""
    phone: str = ""
    hours: str = ""
    timezone: str = "Asia/Makassar"


class Slot(_Model):
    id: int
    puskesmas_id: int
    start: dt.datetime
    end: dt.datetime
    capacity: int
    available: int


class Booking(_Model):
    code: str
    status: BookingStatus
    patient_name: str
    patient_age: int | None = None
    phone: str | None = None
    address: str | None = None
    kelurahan: str | None = None
    complaint: str | None = None
    red_flags: dict[str, bool] = Field(default_factory=dict)
    puskesmas: Puskesmas
    slot: Slot
    created_at: dt.datetime
    updated_at: dt.datetime
    # Who booked (the gateway's hashed sender id): only that conversation may read or change it.
    channel: str | None = None
    channel_address: str | None = None


class BookingPage(_Model):
    items: list[Booking]
    total: int
    page: int
    page_size: int


# --- permits (JakEvo) --------------------------------------------------------------------------


class PermitEvent(_Model):
    status: str
    status_label: str
    note: str = ""
    at: dt.datetime


class Permit(_Model):
    application_number: str
    permit_type: str
    applicant_name: str  # masked: the bot may read it back, so only initials are exposed
    status: str
    status_label: str
    submitted_at: dt.datetime
    updated_at: dt.datetime
    estimated_completion: dt.date | None = None
    history: list[PermitEvent] = Field(default_factory=list)


# --- Smart Kampung catalogue -------------------------------------------------------------------


class Village(_Model):
    id: int
    desa: str
    kecamatan: str
    kabupaten: str


class Seller(_Model):
    id: int
    name: str
    phone: str
    wa_link: str
    location: str = ""


class Product(_Model):
    id: int
    name: str
    category: str
    price: int
    unit: str
    description: str = ""
    photo_url: str | None = None
    seller: Seller
    village: Village
    score: float = 0.0


class ProductPage(_Model):
    items: list[Product]
    total: int
    page: int
    page_size: int


# --- data rights (UU PDP) ----------------------------------------------------------------------


class DataExport(_Model):
    subject: str
    generated_at: dt.datetime
    complaints: list[dict[str, object]] = Field(default_factory=list)
    subscriptions: list[dict[str, object]] = Field(default_factory=list)
    bookings: list[dict[str, object]] = Field(default_factory=list)


class DataDeletion(_Model):
    audit_id: int
    complaints_anonymised: int
    subscriptions_removed: int
    bookings_anonymised: int
    outbox_removed: int
    stored_replies_removed: int = 0
    media_urls: list[str] = Field(default_factory=list)  # photos of the anonymised complaints


# --- agents ------------------------------------------------------------------------------------


class AgentToken(_Model):
    token: str
    username: str
    role: AgentRole
    expires_at: dt.datetime


class ComplaintPage(_Model):
    items: list[Complaint]
    total: int
    page: int
    page_size: int
