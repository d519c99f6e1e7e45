"""Typed async client for the city backend API; the only way actions reach city systems."""

from citybot.client.client import CityClient
from citybot.client.errors import BackendUnavailable, CityClientError, NotFound, Rejected, Unauthorized
from citybot.client.models import (
    Booking,
    Complaint,
    ComplaintLookup,
    DataDeletion,
    DataExport,
    DuplicateCandidate,
    Permit,
    Product,
    ProductPage,
    Puskesmas,
    Service,
    Slot,
    SupportResult,
)
from citybot.client.transport import new_idempotency_key

__all__ = [
    "BackendUnavailable",
    "Booking",
    "CityClient",
    "CityClientError",
    "Complaint",
    "ComplaintLookup",
    "DataDeletion",
    "DataExport",
    "DuplicateCandidate",
    "NotFound",
    "Permit",
    "Product",
    "ProductPage",
    "Puskesmas",
    "Rejected",
    "Service",
    "Slot",
    "SupportResult",
    "Unauthorized",
    "new_idempotency_key",
]
