"""Data-subject rights (UU PDP): export and delete/anonymise."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from citybot.backend import idempotency
from citybot.backend.deps import DB, AppSettings, require_api_key
from citybot.backend.errors import invalid
from citybot.backend.schemas import DeletionIn, ErrorOut, SubjectIn
from citybot.backend.services import data_rights
from citybot.backend.validation import check_channel, clean_text, normalize_phone
from citybot.client import models as api
from citybot.settings import Settings

router = APIRouter(
    prefix="/api/v1/data-rights",
    tags=["Hak subjek data (UU PDP)"],
    dependencies=[Depends(require_api_key)],
    responses={code: {"model": ErrorOut} for code in (401, 422)},
)


def _subject(body: SubjectIn) -> data_rights.Subject:
    channel, address = check_channel(body.channel, body.address)
    subject = data_rights.Subject(phone=normalize_phone(body.phone), channel=channel, address=address)
    if not subject.describe():
        raise invalid("subject_required", "Sebutkan nomor telepon, atau kanal dan alamat kontak.")
    return subject


def _hash_key(settings: Settings) -> str:
    return settings.notify_secret or settings.backend_api_key


@router.post("/export", response_model=api.DataExport)
def export(db: DB, settings: AppSettings, body: SubjectIn) -> api.DataExport:
    subject = _subject(body)
    with db.writing() as session:  # writes the audit record
        return api.DataExport.model_validate(data_rights.export(session, subject, _hash_key(settings)))


@router.post("/delete", response_model=api.DataDeletion)
def delete(db: DB, settings: AppSettings, body: DeletionIn) -> JSONResponse:
    subject = _subject(body)
    actor = clean_text(body.requested_by, "requested_by", 80) or "citizen"

    def work(session: Session) -> tuple[int, Any]:
        return 200, data_rights.erase(session, subject, _hash_key(settings), actor)

    # Deletion is naturally repeatable, so no Idempotency-Key is needed (a repeat finds nothing left).
    status, result = idempotency.run(db, "data.delete", None, None, work)
    db.checkpoint()  # no pre-erasure page copies left in SQLite's write-ahead log
    return JSONResponse(result, status_code=status)
