"""Rendering complaints as Open311 GeoReport v2 and as the richer bot-facing model."""

from __future__ import annotations

import datetime as dt
from typing import Any

from citybot.backend.models import Complaint, ServiceCategory
from citybot.backend.services import statuses
from citybot.backend.services.complaints import supporters_count
from citybot.backend.timeutil import local
from citybot.client import models as api
from citybot.privacy import mask_text


def service_json(service: ServiceCategory) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description,
        "metadata": False,
        "type": "realtime",
        # The spec: "a comma separated list of tags or keywords", one string.
        "keywords": ", ".join(service.keywords or []),
        "group": service.group,
    }


def status_notes(complaint: Complaint) -> str:
    label = statuses.label(complaint.status)
    last_note = complaint.history[-1].note if complaint.history else ""
    return f"{label}: {last_note}" if last_note else label


def target_time(created_at: dt.datetime, expected_days: int | None, tz: str) -> dt.datetime | None:
    """Filing time plus the service's target days, in the city's zone; None without a target.
    The one rule behind Open311 `expected_datetime` and the insight overdue list."""
    if expected_days is None:
        return None
    return local(created_at, tz) + dt.timedelta(days=expected_days)


def expected_at(complaint: Complaint) -> dt.datetime | None:
    """When the agency aims to have acted: filing time plus the service's target days, while open."""
    if statuses.open311_status(complaint.status) == "closed":
        return None
    return target_time(complaint.created_at, complaint.service.expected_days, complaint.jurisdiction.timezone)


def request_json(complaint: Complaint) -> dict[str, Any]:
    """One GeoReport v2 service request. Reporter details are never part of it.

    The spec lets anyone read requests without an API key, so a phone number or NIK a citizen
    typed into the description or an agent into a note is masked here (the agent API shows it).
    """
    tz = complaint.jurisdiction.timezone
    return {
        "service_request_id": complaint.ticket,
        "status": statuses.open311_status(complaint.status),
        "status_notes": mask_text(status_notes(complaint)),
        "status_label": statuses.label(complaint.status),
        "service_name": complaint.service.name,
        "service_code": complaint.service_code,
        "description": mask_text(complaint.description),
        "agency_responsible": complaint.service.agency,
        "service_notice": "",
        "requested_datetime": local(complaint.created_at, tz).isoformat(),
        "updated_datetime": local(complaint.updated_at, tz).isoformat(),
        "expected_datetime": (expected.isoformat() if (expected := expected_at(complaint)) else None),
        "address": complaint.address_string,
        "address_id": None,
        "zipcode": None,
        "lat": complaint.lat,
        "long": complaint.long,
        "media_url": complaint.media_url,
        "kelurahan": complaint.kelurahan,
        "jurisdiction_id": complaint.jurisdiction_id,
    }


def complaint_model(complaint: Complaint, *, with_history: bool = True) -> api.Complaint:
    tz = complaint.jurisdiction.timezone
    history = (
        [
            api.StatusChange(
                status=h.status,
                status_label=statuses.label(h.status),
                note=h.note,
                changed_at=local(h.changed_at, tz),
                actor=h.actor,
            )
            for h in complaint.history
        ]
        if with_history
        else []
    )
    return api.Complaint(
        ticket=complaint.ticket or "",
        service_code=complaint.service_code,
        service_name=complaint.service.name,
        status=complaint.status,
        status_label=statuses.label(complaint.status),
        open311_status=statuses.open311_status(complaint.status),
        status_notes=status_notes(complaint),
        description=complaint.description,
        address=complaint.address_string,
        kelurahan=complaint.kelurahan,
        lat=complaint.lat,
        long=complaint.long,
        media_url=complaint.media_url,
        jurisdiction_id=complaint.jurisdiction_id,
        agency_responsible=complaint.service.agency,
        requested_datetime=local(complaint.created_at, tz),
        updated_datetime=local(complaint.updated_at, tz),
        expected_datetime=expected_at(complaint),
        supporters_count=supporters_count(complaint),
        awaiting_confirmation=complaint.awaiting_confirmation,
        history=history,
    )


def public_complaint_model(complaint: Complaint) -> api.Complaint:
    """What anyone holding the ticket number may see: category, status and dates.

    No description, place, photo or agent notes: agents write notes for the reporter (a
    call-back time, the reporter's street), and the place a reporter typed may be their home.
    """
    full = complaint_model(complaint, with_history=True)
    return full.model_copy(
        update={
            "status_notes": full.status_label,
            "description": "",
            "address": None,
            "kelurahan": None,
            "lat": None,
            "long": None,
            "media_url": None,
            "history": [h.model_copy(update={"note": "", "actor": ""}) for h in full.history],
        }
    )
