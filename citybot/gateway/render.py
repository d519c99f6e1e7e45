"""Citizen-facing messages the gateway composes itself (backend events → Indonesian text)."""

from __future__ import annotations

import json

from citybot.gateway import texts
from citybot.gateway.hub import Template
from citybot.gateway.messages import Button, Reply


def status_changed(ticket: str, status: str, status_label: str, note: str) -> Reply:
    text = texts.STATUS_CHANGED.format(ticket=ticket, status_label=status_label)
    text += f": {note.strip()}" if note.strip() else "."
    buttons: list[Button] = []
    if status.lower() == "selesai":
        text += "\n\n" + texts.STATUS_RESOLVED_QUESTION
        entity = json.dumps({"nomor_tiket": ticket}, ensure_ascii=False)
        buttons = [
            Button(title=texts.BUTTON_RESOLVED, payload=f"/sudah_beres{entity}"),
            Button(title=texts.BUTTON_NOT_RESOLVED, payload=f"/belum_beres{entity}"),
        ]
    return Reply(text=text, buttons=buttons)


def status_template(template_name: str, ticket: str, status_label: str, note: str) -> Template:
    """Outside WhatsApp's 24-hour window only an approved template may be sent."""
    return Template(template_name, [ticket, status_label, note.strip() or "-"])
