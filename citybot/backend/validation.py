"""Input cleaning shared by every endpoint: text bounds, phone numbers, NIK, coordinates."""

from __future__ import annotations

import math
import re

import phonenumbers
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import nik as stdnum_nik

from citybot.backend.errors import ApiError, invalid

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


def clean_text(value: str | None, field: str, max_len: int, *, required: bool = False) -> str | None:
    """Strip NUL and other control bytes, trim, and bound the length."""
    if value is None:
        if required:
            raise invalid(f"{field}_required", f"Isian '{field}' wajib diisi.")
        return None
    value = _CONTROL.sub("", value).strip()
    if not value:
        if required:
            raise invalid(f"{field}_required", f"Isian '{field}' wajib diisi.")
        return None
    if len(value) > max_len:
        raise invalid(f"{field}_too_long", f"Isian '{field}' terlalu panjang (maksimal {max_len} karakter).")
    return value


def require_text(value: str | None, field: str, max_len: int) -> str:
    cleaned = clean_text(value, field, max_len, required=True)
    assert cleaned is not None
    return cleaned


def key_of(value: str) -> str:
    """Case- and space-insensitive form of a place name, for look-ups."""
    return _SPACES.sub(" ", _CONTROL.sub("", value)).strip().lower()


def normalize_phone(raw: str | None, *, required: bool = False) -> str | None:
    """Indonesian phone number to E.164 (+628...); local forms like 0812... are accepted."""
    cleaned = clean_text(raw, "phone", 32, required=required)
    if cleaned is None:
        return None
    try:
        number = phonenumbers.parse(cleaned, "ID")
    except phonenumbers.NumberParseException as exc:
        raise invalid("invalid_phone", "Nomor telepon tidak valid. Contoh: 0812 3456 7890.") from exc
    if not phonenumbers.is_valid_number(number):
        raise invalid("invalid_phone", "Nomor telepon tidak valid. Contoh: 0812 3456 7890.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_nik(raw: str | None) -> str | None:
    """NIK (Nomor Induk Kependudukan) via python-stdnum's `stdnum.id.nik`.

    stdnum checks the 16-digit structure, the province code and the birth-date part (day + 40
    for women); there is no check digit in a NIK, so that is as far as validation can go.
    """
    cleaned = clean_text(raw, "nik", 32)
    if cleaned is None:
        return None
    try:
        return str(stdnum_nik.validate(cleaned))
    except StdnumError as exc:
        raise invalid("invalid_nik", "NIK tidak valid: harus 16 angka sesuai KTP.") from exc


def check_coordinates(lat: float | None, long: float | None) -> tuple[float | None, float | None]:
    if lat is None and long is None:
        return None, None
    if lat is None or long is None:
        raise invalid("invalid_location", "Lintang (lat) dan bujur (long) harus diisi keduanya.")
    if not (math.isfinite(lat) and math.isfinite(long)) or not (-90 <= lat <= 90 and -180 <= long <= 180):
        raise invalid("invalid_location", "Koordinat lokasi tidak valid.")
    return lat, long


CHANNELS = ("telegram", "whatsapp", "web", "sms", "email", "phone", "agent")


def check_channel(channel: str | None, address: str | None) -> tuple[str | None, str | None]:
    """A reporter's contact: the channel name plus an opaque address (the gateway's sender key)."""
    channel = clean_text(channel, "channel", 20)
    address = clean_text(address, "address", 200)
    if channel is None and address is None:
        return None, None
    if channel is None or address is None:
        raise invalid("invalid_contact", "Kanal dan alamat kontak harus diisi keduanya.")
    channel = channel.lower()
    if channel not in CHANNELS:
        raise ApiError(422, "invalid_channel", "Kanal tidak dikenal: " + ", ".join(CHANNELS) + ".")
    return channel, address
