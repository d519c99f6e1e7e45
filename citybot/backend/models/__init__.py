"""ORM models; importing this package registers every table on `Base.metadata`."""

from citybot.backend.models.base import Base, UTCDateTime, utcnow
from citybot.backend.models.complaints import (
    Complaint,
    Jurisdiction,
    ServiceCategory,
    StatusHistory,
    Subscriber,
)
from citybot.backend.models.homecare import Booking, Puskesmas, ServedKelurahan, Slot
from citybot.backend.models.kampung import Product, Seller, Village
from citybot.backend.models.knowledge import KnowledgeShown
from citybot.backend.models.permits import PermitApplication, PermitEvent
from citybot.backend.models.signals import ConversationSignal
from citybot.backend.models.platform import Agent, AgentToken, AuditRecord, IdempotencyKey, OutboxEvent, StatusLookup

__all__ = [
    "Agent",
    "AgentToken",
    "AuditRecord",
    "Base",
    "Booking",
    "Complaint",
    "ConversationSignal",
    "IdempotencyKey",
    "Jurisdiction",
    "KnowledgeShown",
    "OutboxEvent",
    "PermitApplication",
    "PermitEvent",
    "Product",
    "Puskesmas",
    "Seller",
    "ServedKelurahan",
    "ServiceCategory",
    "Slot",
    "StatusHistory",
    "StatusLookup",
    "Subscriber",
    "UTCDateTime",
    "Village",
    "utcnow",
]
