"""Request bodies and Open311 response shapes. Responses of the JSON API are the client's models
(`citybot.client.models`), so the OpenAPI document is exactly what the client parses.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=4000)


class ContactIn(_In):
    channel: str = Field(max_length=20, examples=["telegram"])
    address: str = Field(max_length=200, description="Opaque reporter address from the gateway")


class ConfirmationIn(ContactIn):
    resolved: bool
    note: str | None = Field(None, max_length=1000)


class BookingIn(_In):
    slot_id: int = Field(ge=1, le=2**31 - 1)
    patient_name: str = Field(max_length=120)
    patient_age: int | None = Field(None, ge=0, le=130)
    nik: str | None = Field(None, max_length=32)
    phone: str = Field(max_length=32)
    address: str = Field(max_length=300)
    kelurahan: str = Field(max_length=80)
    complaint: str = Field(max_length=2000)
    red_flags: dict[str, bool] = Field(default_factory=dict, max_length=30)
    channel: str | None = Field(None, max_length=20)
    channel_address: str | None = Field(None, max_length=200)


class CancelIn(_In):
    reason: str | None = Field(None, max_length=300)


class RescheduleIn(_In):
    slot_id: int = Field(ge=1, le=2**31 - 1)


class SubjectIn(_In):
    phone: str | None = Field(None, max_length=32)
    channel: str | None = Field(None, max_length=20)
    address: str | None = Field(None, max_length=200)


class DeletionIn(SubjectIn):
    requested_by: str = Field("citizen", max_length=80)


class LoginIn(_In):
    username: str = Field(max_length=60)
    password: str = Field(max_length=200)


class StatusChangeIn(_In):
    status: str = Field(max_length=16, examples=["proses"])
    note: str = Field("", max_length=1000)


class Open311Created(BaseModel):
    service_request_id: str
    service_notice: str = ""
    account_id: str | None = None


class Open311Request(BaseModel):
    service_request_id: str | None
    status: str
    status_notes: str
    status_label: str
    service_name: str
    service_code: str
    description: str
    agency_responsible: str
    service_notice: str
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None
    kelurahan: str | None
    jurisdiction_id: str


class Open311Endpoint(BaseModel):
    specification: str
    url: str
    changeset: str
    type: str
    formats: list[str]


class Open311Discovery(BaseModel):
    changeset: str
    contact: str
    key_service: str
    endpoints: list[Open311Endpoint]


class ErrorOut(BaseModel):
    code: str
    message: str


class Open311Error(BaseModel):
    code: int
    description: str
    error_code: str
