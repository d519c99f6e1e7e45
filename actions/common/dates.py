"""Indonesian dates and times for citizens: "Senin, 30 November 2026 pukul 08.00 WITA"."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
# Indonesia's three zones by their UTC offset (no daylight saving), so any IANA name of a zone
# (Asia/Makassar, Asia/Ujung_Pandang, Asia/Pontianak ...) gets its Indonesian label.
ZONA_BY_OFFSET = {dt.timedelta(hours=7): "WIB", dt.timedelta(hours=8): "WITA", dt.timedelta(hours=9): "WIT"}


def zone_label(tz_name: str) -> str:
    """ "WIB", "WITA" or "WIT"; the zone's own name outside Indonesia's three zones."""
    try:
        offset = dt.datetime.now(ZoneInfo(tz_name)).utcoffset()
    except (ValueError, KeyError):
        return tz_name
    return ZONA_BY_OFFSET.get(offset, tz_name) if offset is not None else tz_name


def local(moment: dt.datetime, tz_name: str) -> dt.datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(tz_name))


def local_today(tz_name: str) -> dt.date:
    return dt.datetime.now(ZoneInfo(tz_name)).date()


def short_month(month: int) -> str:
    """1 -> "Jan", 8 -> "Agu"."""
    return BULAN[month - 1][:3]


def tanggal(day: dt.date) -> str:
    """ "30 November 2026"."""
    return f"{day.day} {BULAN[day.month - 1]} {day.year}"


def tanggal_singkat(day: dt.date) -> str:
    """ "30 Nov 2026"."""
    return f"{day.day} {short_month(day.month)} {day.year}"


def tanggal_jam_singkat(moment: dt.datetime) -> str:
    """ "30 Nov 2026 14.05", in the moment's own zone."""
    return f"{tanggal_singkat(moment.date())} {moment.hour:02d}.{moment.minute:02d}"


def waktu_lengkap(moment: dt.datetime, tz_name: str) -> str:
    t = local(moment, tz_name)
    return f"{HARI[t.weekday()]}, {tanggal(t.date())} pukul {t:%H.%M} {zone_label(tz_name)}"


def waktu_singkat(start: dt.datetime, end: dt.datetime, tz_name: str) -> str:
    """Button title: "Sen 30 Nov 08.00–09.30"."""
    s, e = local(start, tz_name), local(end, tz_name)
    return f"{HARI[s.weekday()][:3]} {s.day} {short_month(s.month)} {s:%H.%M}–{e:%H.%M}"
