"""Agent summary for handoff and the readable data export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker

from actions.common.tracker import contact
from actions.data_pribadi import export_text
from actions.handoff import conversation_summary, next_open_label
from citybot.client.models import DataExport

ROOT = Path(__file__).resolve().parents[2]


def tracker(events: list[dict[str, Any]], slots: dict[str, Any], loop: str | None = None) -> Tracker:
    latest = next((e for e in reversed(events) if e["event"] == "user"), {})
    return Tracker("web-abc", slots, latest, events, False, None, {"name": loop} if loop else {}, "action_listen")


def user(text: str, intent: str, channel: str = "web") -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}, "metadata": {"channel": channel}}


def test_summary_has_needs_filled_slots_and_last_messages_but_no_bookkeeping() -> None:
    events = [
        user("mau pesan homecare", "pesan_homecare"),
        user("Daeng Ngalle", "nlu_fallback"),
        user("mau bicara dengan petugas", "bicara_petugas"),
    ]
    slots = {"hc_nama": "Daeng Ngalle", "hc_telepon": "+6281234567890", "homecare_kunci": "k", "requested_slot": "x"}
    summary = conversation_summary(tracker(events, slots, "homecare_form"), "Warga meminta bicara dengan petugas.")
    assert "pesan_homecare" in summary and "homecare_form" in summary
    assert "- hc_telepon: +6281234567890" in summary  # the agent needs it
    assert "homecare_kunci" not in summary and "requested_slot" not in summary
    assert summary.rstrip().endswith("> mau bicara dengan petugas")


def test_next_open_is_told_in_local_words() -> None:
    assert next_open_label("2026-11-30T01:00:00+00:00", "Asia/Jakarta") == "Senin, 30 November 2026 pukul 08.00 WIB"
    assert next_open_label("bukan tanggal", "Asia/Jakarta") is None


def test_subject_uses_the_platform_from_metadata() -> None:
    assert contact(tracker([user("halo", "salam", "telegram")], {})) == ("telegram", "web-abc")
    assert contact(tracker([], {})) == ("web", "web-abc")


def test_export_is_readable_and_merges_duplicates() -> None:
    domain = yaml.safe_load((ROOT / "bot/domain/data_pribadi.yml").read_text(encoding="utf-8"))
    booking = {
        "code": "HC-AB23CD",
        "status": "booked",
        "patient_name": "Daeng Ngalle",
        "patient_age": 72,
        "phone": "+6281234567890",
        "address": "Jl. Tamalate I",
        "kelurahan": "Kassi-Kassi",
        "complaint": "demam",
        "visit_start": "2026-11-30T00:00:00+00:00",
    }
    now = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    exports = [
        DataExport(subject="a", generated_at=now, bookings=[booking]),
        DataExport(subject="b", generated_at=now, bookings=[booking]),
    ]
    text = export_text(domain, exports, "Asia/Makassar")
    assert text.count("HC-AB23CD") == 1
    assert "Pemesanan HomeCare (1):" in text and "Senin, 30 November 2026 pukul 08.00 WITA" in text
    assert export_text(domain, [DataExport(subject="a", generated_at=now)], "Asia/Makassar") == ""
