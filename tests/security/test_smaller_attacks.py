"""Each written as the attack: replayed and re-aimed internal signatures, foreign
photo links, photos carrying GPS EXIF, HomeCare codes of call-centre bookings typed in chat, and
phone numbers and NIKs written so that the old log masking missed them."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from citybot import signing
from citybot.backend.app import create_app as create_backend
from citybot.backend.db import Database
from citybot.backend.migrate import upgrade as migrate_backend
from citybot.backend.seed import seed
from citybot.backend.services import homecare
from citybot.gateway.senders import sender_id
from citybot.media_links import media_base_url
from citybot.privacy import mask_text
from citybot.settings import Settings, get_settings
from tests.action_backend import backend_for_actions  # noqa: F401
from tests.backend.helpers import add_slot
from tests.gateway.conftest import Gateway, fake_rasa, gateway, gateway_factory  # noqa: F401
from tests.gateway.servers import serve
from tests.webclient import HEADER, new_client_id

# --- internal signatures --------------------------------------------------------------------


def _push(gw: Gateway) -> tuple[str, bytes]:
    client_id = new_client_id(gw.url)
    httpx.post(f"{gw.url}/api/messages", json={"text": "halo"}, headers={HEADER: client_id}, timeout=10)
    sender = sender_id(gw.settings.sender_id_key, "web", client_id)
    body = json.dumps({"event_id": uuid.uuid4().hex, "sender": sender, "replies": [{"text": "Tiket Anda siap"}]})
    return sender, body.encode()


def _send(gw: Gateway, path: str, body: bytes, header: str) -> httpx.Response:
    headers = {"Content-Type": "application/json", signing.SIGNATURE_HEADER: header}
    return httpx.post(f"{gw.url}{path}", content=body, headers=headers, timeout=10)


def test_a_captured_signature_replayed_after_five_minutes_is_rejected(gateway: Gateway) -> None:  # noqa: F811
    secret = gateway.settings.notify_secret
    _, body = _push(gateway)
    captured = signing.sign(secret, "POST", "/internal/push", body, timestamp=int(time.time()) - 301)
    assert _send(gateway, "/internal/push", body, captured).status_code == 401
    # Far-future timestamps (a signature that would live for hours) are refused as well.
    future = signing.sign(secret, "POST", "/internal/push", body, timestamp=int(time.time()) + 3600)
    assert _send(gateway, "/internal/push", body, future).status_code == 401
    # The same request signed four minutes ago is still inside the window: the clock check is
    # what refused the replay, not anything else about the request.
    fresh = signing.sign(secret, "POST", "/internal/push", body, timestamp=int(time.time()) - 240)
    assert _send(gateway, "/internal/push", body, fresh).status_code == 202


def test_a_signature_made_for_another_path_is_rejected(gateway: Gateway) -> None:  # noqa: F811
    secret = gateway.settings.notify_secret
    sender, _ = _push(gateway)
    # A body valid for both endpoints: signed for a push, sent as a handoff to the agent queue.
    body = json.dumps(
        {"event_id": "e-1", "sender": sender, "replies": [{"text": "x"}], "summary": "", "reason": ""}
    ).encode()
    for_push = signing.sign(secret, "POST", "/internal/push", body)
    assert _send(gateway, "/internal/handoff", body, for_push).status_code == 401
    assert _send(gateway, "/internal/notify", body, for_push).status_code == 401
    # The old body-only format is no longer accepted either.
    assert _send(gateway, "/internal/push", body, signing.body_signature(secret, body)).status_code == 401
    assert _send(gateway, "/internal/push", body, for_push).status_code == 202


def test_the_backend_outbox_signature_is_the_one_the_gateway_verifies(gateway: Gateway) -> None:  # noqa: F811
    """The backend's outbox dispatcher signs through citybot.signing, path and time included."""
    from citybot.backend.services.outbox import dispatch_once, enqueue

    sender, _ = _push(gateway)
    url = f"sqlite:///{Path(gateway.settings.media_dir).parent / 'outbox.db'}"
    migrate_backend(url)
    db = Database.connect(url)
    try:
        with db.writing() as session:
            enqueue(
                session,
                "complaint.status_changed",
                {
                    "ticket": "JKL-2026-000777",
                    "status": "proses",
                    "status_label": "Proses",
                    "note": "Petugas menuju",
                    "channel": "web",
                    "address": sender,
                    "occurred_at": None,
                },
                channel="web",
                address=sender,
            )
        result = dispatch_once(db, url=f"{gateway.url}/internal/notify", secret=gateway.settings.notify_secret)
        assert (result.delivered, result.failed) == (1, 0)
    finally:
        db.dispose()


# --- photos: only our own media store, and no EXIF ---------------------------------------------


def test_a_foreign_media_url_is_refused_by_the_backend(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'b.db'}",
        backend_api_key="k-123",
        gateway_public_url="https://chat.kota.go.id",
    )
    migrate_backend(settings.database_url)
    db = Database.connect(settings.database_url)
    seed(db, settings, slot_days=1)
    own = f"{media_base_url(settings)}/media/{'7f' * 16}.jpg"
    try:
        with serve(create_backend(settings, db=db)) as backend:

            def post(media_url: str) -> httpx.Response:
                return httpx.post(
                    f"{backend}/open311/v2/requests.json",
                    headers={"X-API-Key": "k-123"},
                    timeout=10,
                    data={
                        "service_code": "sampah",
                        "lat": "-6.2",
                        "long": "106.8",
                        "description": "Sampah menumpuk",
                        "media_url": media_url,
                    },
                )

            for foreign in (
                "http://169.254.169.254/latest/meta-data/",
                "http://127.0.0.1:8000/api/v1/agent/bookings",
                "file:///etc/passwd",
                "https://chat.kota.go.id.evil.example/media/" + "7f" * 16 + ".jpg",
                "https://chat.kota.go.id/media/../../etc/passwd",
                "https://tracker.example/pixel.gif",
            ):
                refused = post(foreign)
                assert refused.status_code == 400, (foreign, refused.text)  # Open311: 400
                assert refused.json()[0]["error_code"] == "invalid_media_url"
            assert post(own).status_code == 201
    finally:
        db.dispose()


def test_a_forged_photo_payload_with_a_foreign_link_is_refused_in_the_complaint_form() -> None:
    from actions.pengaduan_form import ValidatePengaduanForm

    settings = get_settings()
    own = f"{media_base_url(settings)}/media/{'7f' * 16}.jpg"

    def validate(url: str) -> Any:
        latest = {
            "intent": {"name": "kirim_foto", "confidence": 1.0},
            "text": f'/kirim_foto{{"media_url": "{url}"}}',
            "entities": [{"entity": "media_url", "value": url}],
            "metadata": {"channel": "web"},
        }
        tracker = Tracker("web-x", {}, latest, [], False, None, {"name": "pengaduan_form"}, "action_listen")
        dispatcher = CollectingDispatcher()
        return asyncio.run(ValidatePengaduanForm().validate_pengaduan_foto(url, dispatcher, tracker, {}))

    assert validate("http://169.254.169.254/latest/meta-data/").get("pengaduan_foto") is None
    assert validate("https://tracker.example/pixel.gif").get("pengaduan_foto") is None
    assert validate(own)["pengaduan_foto"] == own


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretPhoneMaker"  # Make
    exif[0x0110] = "Model-X9 SN12345"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "S", (6.0, 12.0, 34.56)  # GPSLatitudeRef, GPSLatitude
    gps[3], gps[4] = "E", (106.0, 49.0, 12.34)  # GPSLongitudeRef, GPSLongitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_with_gps_exif_is_stored_without_any_exif(gateway: Gateway) -> None:  # noqa: F811
    original = _photo_with_gps()
    with Image.open(io.BytesIO(original)) as check:  # the attack input really carries the data
        assert check.getexif().get_ifd(0x8825) and b"SecretPhoneMaker" in original
    r = httpx.post(
        f"{gateway.url}/api/messages/photo",
        headers={HEADER: new_client_id(gateway.url)},
        files={"photo": ("rumah.jpg", original, "image/jpeg")},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    url = json.loads(gateway.rasa.messages()[-1].removeprefix("/kirim_foto"))["media_url"]
    served = httpx.get(url, timeout=10).content
    stored_files = list(Path(gateway.settings.media_dir).iterdir())
    assert stored_files, "nothing stored"
    for blob in [served, *(p.read_bytes() for p in stored_files)]:
        assert b"Exif" not in blob and b"SecretPhoneMaker" not in blob and b"SN12345" not in blob
        with Image.open(io.BytesIO(blob)) as stored:
            assert not stored.getexif() and stored.size == (64, 48)


# --- HomeCare codes of call-centre bookings ----------------------------------------------------


def test_a_call_centre_booking_code_typed_in_chat_reveals_nothing(backend_for_actions: Database) -> None:  # noqa: F811
    from actions.homecare.manage import ValidateBatalHomecareForm

    db = backend_for_actions
    slot_id = add_slot(db)
    with db.writing() as session:  # booked by phone at the call centre: no channel address at all
        booking = homecare.book(
            session,
            homecare.NewBooking(
                slot_id=slot_id,
                patient_name="Daeng Rahmawati",
                patient_age=80,
                nik=None,
                phone="+6281299990002",
                address="Jl. Tamalate I No. 10",
                kelurahan="Kassi-Kassi",
                complaint="Sesak dan lemas",
                red_flags={},
                channel=None,
                channel_address=None,
            ),
        )
        code = booking.code
    latest = {
        "intent": {"name": "batal_homecare", "confidence": 1.0},
        "text": code,
        "entities": [],
        "metadata": {"channel": "web"},
    }
    tracker = Tracker("web-stranger", {}, latest, [], False, None, {"name": "batal_homecare_form"}, "action_listen")
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateBatalHomecareForm().validate_kode_booking(code, dispatcher, tracker, {}))
    assert result == {"kode_booking": None}
    assert [m["response"] for m in dispatcher.messages] == ["utter_hc_kode_tidak_ditemukan"]
    assert "Daeng" not in json.dumps(dispatcher.messages) and "hc_booking_info" not in result
    with db.read() as session:
        assert homecare.by_code(session, code).status == "booked"


# --- log masking ------------------------------------------------------------------------------


SHAPES = [
    "08 12 34 56 78 90",
    "0812-3456-7890",
    "0812 - 3456 - 7890",
    "0812\u20133456\u20137890",  # en dash
    "\uff10\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10",  # fullwidth digits
    "\uff10\uff18\uff11\uff12\uff0d\uff13\uff14\uff15\uff16\uff0d\uff17\uff18\uff19\uff10",  # fullwidth with dashes
    "+62 812 3456 7890",
    "(0812) 3456-7890",
    "3174 0512 0385 0007",  # NIK in groups of four
    "3174.0512.0385.0007",
    "31 74 05 12 03 85 00 07",
    "3174-05-120385-0007",
    "\uff13\uff11\uff17\uff14\uff10\uff15\uff11\uff12\uff10\uff13\uff18\uff15\uff10\uff10\uff10\uff17",  # fullwidth NIK
]


def _digits(text: str) -> str:
    import unicodedata

    return "".join(str(unicodedata.digit(c)) for c in text if c.isdecimal())


@pytest.mark.parametrize("shape", SHAPES)
def test_a_log_line_with_a_phone_or_nik_in_any_shape_is_masked(shape: str) -> None:
    code = f"""
import logging, sys
from citybot.privacy import install_log_masking
install_log_masking()
logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
logging.getLogger("citybot.gateway.hub").info("send to %s failed", {shape!r})
logging.getLogger("uvicorn.access").info("warga menulis: hubungi saya di {shape} ya")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    lines = out.strip().splitlines()
    assert len(lines) == 2
    secret_tail = _digits(shape)[-8:]
    for line in lines:
        assert secret_tail not in _digits(line), line
        assert "*" in line, line


def test_masking_leaves_tickets_times_and_coordinates_alone() -> None:
    for harmless in (
        "Laporan JKL-2026-000123 pada 2026-11-27 pukul 10.30",
        "127.0.0.1:8000 took 1234 ms",
        "lat -6.208812345678, long 106.845599",
        "kode HC-7KQ2MX",
    ):
        assert mask_text(harmless) == harmless


def test_the_gateway_has_one_masking_module() -> None:
    import citybot.gateway

    assert not (Path(citybot.gateway.__file__).parent / "masking.py").exists()
    logging.getLogger(__name__)  # gateway modules use plain loggers; citybot.privacy masks the process
