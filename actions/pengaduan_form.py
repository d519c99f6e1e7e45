"""The complaint form: which questions are still needed, and checking every answer.

Every form slot is filled from the text of the answer (see the domain), and the validators below
read the latest message's intent and entities to interpret it. That way an answer the NLU model
is unsure about still reaches a validator, which re-asks helpfully instead of the conversation
falling out of the form; only explicit digressions (questions, chit-chat, "batal") leave it.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from typing import Any

import phonenumbers
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_base import CitizenFormValidation
from actions.pengaduan_antrean import ensure_worker
from actions.pengaduan_bantu import (
    NO_PHOTO,
    backend_call_failed,
    city_client,
    contact,
    entity_values,
    intent_of,
    mask_phone,
    match_service,
    response_text,
    service_name,
    services,
)
from actions.pengaduan_peta import map_link_in, point_in_text, resolve_map_link
from actions.pengaduan_tempat import canonical_area, find_area, looks_like_place, plausible_area_name
from citybot.media_links import is_own_media_url
from citybot.service_area import in_service_area
from citybot.settings import get_settings

logger = logging.getLogger(__name__)

Slots = dict[str, Any]

YES_INTENTS = {"ya", "kirim_pengaduan"}
NO_INTENTS = {"tidak"}
SKIP_WORDS = re.compile(r"\b(lewat|lewati|skip|tidak ada|ga ada|gak ada|nggak ada|tanpa foto|ngga ada)\b", re.I)
_COORDINATES_OR_LINKS = re.compile(r"https?://\S+|[-+]?\d{1,3}\.\d{3,10}\s*,\s*[-+]?\d{1,3}\.\d{3,10}", re.I)
_NAME = re.compile(r"^[A-Za-z][A-Za-z .'\-]{1,59}$")
# Words that say where only together with a name: "depan rumah saya" alone is not a place.
_VAGUE = {
    "di", "sini", "situ", "sana", "depan", "dpn", "rumah", "rmh", "saya", "sy", "aku", "kami", "dekat",
    "deket", "dkt", "samping", "belakang", "blkg", "jalan", "jln", "jl", "gang", "gg", "kampung", "lokasi",
    "tempat", "tau", "tahu", "nggak", "gak", "ga", "tidak", "ini", "itu", "yang", "yg", "pokoknya", "daerah",
}
# Which slots one "ubah" choice clears (the form then asks them again).
CHANGE = {
    "kategori": ("pengaduan_kategori", "pengaduan_kategori_nama", "pengaduan_duplikat",
                 "pengaduan_duplikat_info", "pengaduan_dukung"),
    "lokasi": ("pengaduan_lokasi", "pengaduan_lat", "pengaduan_long", "pengaduan_kelurahan",
               "pengaduan_duplikat", "pengaduan_duplikat_info", "pengaduan_dukung"),
    "deskripsi": ("pengaduan_deskripsi",),
    "foto": ("pengaduan_foto",),
    "identitas": ("pengaduan_identitas", "pengaduan_persetujuan", "pengaduan_nama", "pengaduan_telepon"),
}
_CHANGE_WORDS = {
    "kategori": ("kategori", "jenis", "masalah"),
    "lokasi": ("lokasi", "alamat", "tempat", "jalan", "kelurahan"),
    "deskripsi": ("keterangan", "deskripsi", "cerita", "penjelasan"),
    "foto": ("foto", "gambar"),
    "identitas": ("nama", "hp", "nomor", "telepon", "identitas", "anonim"),
}
# Indonesia's bounding box: a swapped latitude/longitude lands outside it.
_LAT_RANGE = (-11.5, 6.5)
_LONG_RANGE = (94.0, 141.5)


def _help_button(domain: DomainDict, key: str, payload: str) -> dict[str, str]:
    return {"title": response_text(domain, key), "payload": payload}


def failed(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: DomainDict,
    slot: str,
    response: str,
    buttons: list[dict[str, str]] | None = None,
    **variables: Any,
) -> Slots:
    """Re-ask helpfully; from the second failure on, offer buttons and a human agent."""
    count = int(tracker.get_slot("pengaduan_gagal") or 0) + 1
    if count >= 2:
        offer = [
            *(buttons or []),
            _help_button(domain, "utter_pengaduan_tombol_petugas", "/bicara_petugas"),
            _help_button(domain, "utter_pengaduan_tombol_batal", "/batal"),
        ]
        dispatcher.utter_message(response="utter_pengaduan_butuh_bantuan", buttons=offer)
    else:
        dispatcher.utter_message(response=response, buttons=buttons or [], **variables)
    return {slot: None, "pengaduan_gagal": count}


def ok(values: Slots) -> Slots:
    return {**values, "pengaduan_gagal": 0}


def yes_no(tracker: Tracker, text: str) -> bool | None:
    intent = intent_of(tracker)
    if intent in YES_INTENTS:
        return True
    if intent in NO_INTENTS:
        return False
    lowered = text.strip().lower()
    if re.match(r"^(ya|iya|yes|ok|oke|boleh|setuju|mau|dukung)\b", lowered):
        return True
    if re.match(r"^(tidak|nggak|ngga|gak|ga|enggak|no|jangan|bukan)\b", lowered):
        return False
    return None


def coordinates(tracker: Tracker) -> tuple[float, float] | None:
    lats = entity_values(tracker, "latitude")
    longs = entity_values(tracker, "longitude")
    if not lats or not longs:
        return None
    try:
        lat, long = float(lats[-1]), float(longs[-1])
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(long)):
        return None
    if not (_LAT_RANGE[0] <= lat <= _LAT_RANGE[1] and _LONG_RANGE[0] <= long <= _LONG_RANGE[1]):
        return None
    return lat, long


def is_vague(text: str) -> bool:
    words = re.findall(r"[a-z0-9]+", text.lower())
    meaningful = [w for w in words if w not in _VAGUE]
    return len(text.strip()) < 6 or not meaningful


# Remarks about the conversation, not about the problem: never sent to the dinas as the story.
_META = re.compile(
    r"\b((kan|sudah|udah|udh|sdh|tadi)\s+){1,2}(saya|sy|aye|aku|gw|gue)?\s*"
    r"(bilang|sebut(kan)?|tulis|sampaikan|kasih ?tau|jelaskan)"
    r"(\s+(di ?atas|tadi|sebelumnya))?\b[ ,.!]*(min|bang|kak|pak|bu)?|\b(mohon|tolong|coba)\s+(di)?baca\s+(lagi\s+)?"
    r"(pesan|chat|tulisan)\s+(pertama|sebelumnya|tadi|di ?atas)(\s+saya)?|\bseperti (yang )?(saya )?(tulis|sebut)(kan)?"
    r"( di ?atas| tadi)?",
    re.IGNORECASE,
)


_PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?62|0)[\s.-]?8(?:[\s.-]?\d){7,12}(?!\d)")
_NAME_IN_TEXT = re.compile(
    r"\bnama(?:nya)?\s*(?:saya|sy|aku|ku|gw|gue)?\s*(?:adalah|:)?\s*([A-Za-z][A-Za-z.' ]{1,40}?)"
    r"(?=\s*(?:[,.;]|\b(?:hp|no|nomor|nomer|telp|telepon|wa|kan|min|kak|dan)\b|\d|$))",
    re.IGNORECASE,
)
# "budi santoso, kan tadi udah": the name, without the remark.
_NAME_REMARK = re.compile(r"\s*(?:,|\b(?:kan|udah|sudah|tadi|min|kak|bang|ya|dong|deh)\b).*$", re.IGNORECASE)


def phone_in(text: str) -> str | None:
    """An Indonesian mobile number written anywhere in the text, as E.164."""
    match = _PHONE_IN_TEXT.search(text)
    if not match:
        return None
    try:
        number = phonenumbers.parse(re.sub(r"[^\d+]", "", match.group(0)), "ID")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or number.country_code != 62:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def name_in(text: str) -> str | None:
    """"nama saya Budi Santoso hp 0812..." -> "Budi Santoso"."""
    match = _NAME_IN_TEXT.search(text)
    name = match.group(1).strip(" .") if match else ""
    return name if _NAME.match(name) and len(name.replace(" ", "")) >= 2 else None


def opening_message(tracker: Tracker) -> str:
    """The citizen's message that started the current report (the one before action_mulai_pengaduan)."""
    last_user, opening = "", ""
    for event in tracker.events:
        if event.get("event") == "user":
            last_user = str(event.get("text") or "")
        elif event.get("event") == "action" and event.get("name") == "action_mulai_pengaduan":
            opening = last_user
    return "" if opening.startswith("/") else opening


_GREETING = re.compile(
    r"^((assalamu'?alaikum( wr\.? ?wb\.?)?|selamat (pagi|siang|sore|malam)|halo|hai|permisi|yth\.?[^.,]{0,40}|"
    r"kepada (yth\.? )?[^.,]{0,40}|dengan hormat|bapak ?/ ?ibu( petugas| yang terhormat)?|min|kak|pak|bu|bang|gan|"
    r"mas|mbak)\b[ ,.!]*)+"
    r"((saya|sy|kami) (bermaksud|ingin|mau|hendak) (melaporkan|melapor|menyampaikan|mengadukan)( bahwa)?\b[ ,:]*)?",
    re.IGNORECASE,
)
_THANKS = re.compile(r"[ ,.]*(terima ?kasih( banyak)?|makasih|tks|thx|matur suwun|hatur nuhun)[ .!]*$", re.IGNORECASE)


def clean_description(text: str) -> str:
    """Drop greetings, "mau lapor" and thanks so a description taken from a message reads well."""
    text = re.sub(r"\s+", " ", text).strip()
    text = _THANKS.sub("", _GREETING.sub("", text)).strip()
    text = re.sub(r"\s+([,.!?])", r"\1", text).strip(" ,.")
    text = re.sub(
        r"^(halo|hai|min|kak|pak|bu|permisi)?[ ,]*(saya |sy |aku )?(mau |mo |mw |ingin |pengen )?"
        r"(lapor(in|kan)?|melapor(kan)?|ngadu|mengadukan|pengaduan)\b[ ,:]*",
        "",
        text,
        flags=re.I,
    )
    return text[:1].upper() + text[1:] if text else text


class ValidatePengaduanForm(CitizenFormValidation):
    def name(self) -> str:
        return "validate_pengaduan_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Only what is still needed, in the order a citizen would tell it."""
        slot = tracker.slots.get
        needed = ["pengaduan_kategori", "pengaduan_lokasi"]
        if slot("pengaduan_lat") is None:
            needed.append("pengaduan_kelurahan")
        if slot("pengaduan_duplikat"):
            needed.append("pengaduan_dukung")
            if slot("pengaduan_dukung") is True:
                return needed  # supporting the existing report: nothing else to ask
        needed += ["pengaduan_deskripsi", "pengaduan_foto", "pengaduan_identitas"]
        if slot("pengaduan_identitas") is True:
            needed.append("pengaduan_persetujuan")
            if slot("pengaduan_persetujuan") is True:
                needed += ["pengaduan_nama", "pengaduan_telepon"]
        if slot("pengaduan_konfirmasi") == "ubah":
            needed.append("pengaduan_bagian_diubah")
        needed.append("pengaduan_konfirmasi")
        return needed

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ensure_worker()
        return await super().run(dispatcher, tracker, domain)

    # --- duplicates -------------------------------------------------------------------------

    async def duplicates(self, tracker: Tracker, dispatcher: CollectingDispatcher, values: Slots) -> Slots:
        """Offer to support an open report of the same kind nearby instead of filing another."""
        merged = {**tracker.slots, **values}
        code = merged.get("pengaduan_kategori")
        lat, long = merged.get("pengaduan_lat"), merged.get("pengaduan_long")
        kelurahan, address = merged.get("pengaduan_kelurahan"), merged.get("pengaduan_lokasi")
        if not code or (lat is None and not (kelurahan and address)):
            return {}
        channel, sender = contact(tracker)
        try:
            async with city_client() as city:
                found = await city.find_duplicates(
                    code, lat=lat, long=long, kelurahan=kelurahan, address=None if lat is not None else address
                )
                if not found:
                    return {"pengaduan_duplikat": None, "pengaduan_duplikat_info": None, "pengaduan_dukung": None}
                mine = {c.ticket for c in await city.complaints_of_reporter(channel, sender)}
        except Exception as exc:  # the check is a courtesy; never block a report on it
            await backend_call_failed(exc)
            return {}
        first = found[0].complaint
        if first.ticket in mine:
            dispatcher.utter_message(
                response="utter_pengaduan_duplikat_milik_sendiri", tiket=first.ticket, status=first.status_label
            )
            return {"pengaduan_duplikat": None, "pengaduan_duplikat_info": None, "pengaduan_dukung": None}
        where = first.address or first.kelurahan or "lokasi berdekatan"
        if found[0].distance_m is not None:
            where = f"{where}, ±{round(found[0].distance_m)} m dari lokasi Anda"
        info = f"{first.service_name} di {where}, status {first.status_label}"
        return {"pengaduan_duplikat": first.ticket, "pengaduan_duplikat_info": info, "pengaduan_dukung": None}

    # --- validators -------------------------------------------------------------------------

    async def validate_pengaduan_kategori(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if not value:
            return {}
        text = str(value)
        available = await services()
        found = match_service(text, available)
        if found is None:
            # The model may have tagged a category the text match missed ("bolong" -> jalan-rusak).
            for entity in entity_values(tracker, "kategori"):
                found = match_service(str(entity), available)
                if found:
                    break
        if found is None:
            buttons = [
                {"title": s.service_name, "payload": f'/lapor_pengaduan{{"kategori": "{s.service_code}"}}'}
                for s in available[:12]
            ]
            if available and int(tracker.get_slot("pengaduan_gagal") or 0) < 1:
                dispatcher.utter_message(response="utter_pengaduan_kategori_pilih", buttons=buttons)
                return {"pengaduan_kategori": None, "pengaduan_gagal": 1}
            return failed(
                dispatcher, tracker, domain, "pengaduan_kategori", "utter_pengaduan_kategori_tidak_dikenal",
                buttons, jawaban=text[:60],
            )
        code, name = found
        values = ok({"pengaduan_kategori": code, "pengaduan_kategori_nama": name})
        values.update(await self.duplicates(tracker, dispatcher, values))
        return values

    async def validate_pengaduan_lokasi(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if not value:
            return {}
        text = str(value).strip()
        if intent_of(tracker) == "kirim_lokasi" or text.startswith("/kirim_lokasi"):
            point = coordinates(tracker)
            if point is None:
                return failed(dispatcher, tracker, domain, "pengaduan_lokasi", "utter_pengaduan_lokasi_kurang_jelas")
            return await self._map_point(point, "", dispatcher, tracker, domain)
        link = map_link_in(text)
        point = point_in_text(text)
        if link and point is None:
            point = await resolve_map_link(link)
            if point is None:
                return failed(dispatcher, tracker, domain, "pengaduan_lokasi", "utter_pengaduan_lokasi_tautan_gagal")
        if point is not None:
            rest = _COORDINATES_OR_LINKS.sub(" ", text)
            return await self._map_point(point, rest if looks_like_place(rest) else "", dispatcher, tracker, domain)
        if text.startswith("/") or is_vague(text) or len(text) > 300 or not looks_like_place(text):
            return failed(dispatcher, tracker, domain, "pengaduan_lokasi", "utter_pengaduan_lokasi_kurang_jelas")
        values = ok({"pengaduan_lokasi": text, "pengaduan_lat": None, "pengaduan_long": None})
        area = next((canonical_area(str(e)) for e in entity_values(tracker, "kelurahan")), None)
        area = area or find_area(text)
        if area:
            values["pengaduan_kelurahan"] = area
        values.update(await self.duplicates(tracker, dispatcher, values))
        return values

    async def _map_point(
        self, point: tuple[float, float], place: str, dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: DomainDict,
    ) -> Slots:
        """A pin from the map, a typed pair of coordinates or a map link: inside the city or re-asked."""
        lat, long = point
        if not in_service_area(lat, long):
            return failed(
                dispatcher, tracker, domain, "pengaduan_lokasi", "utter_pengaduan_lokasi_di_luar_wilayah",
                kota=get_settings().city_name,
            )
        dispatcher.utter_message(response="utter_pengaduan_lokasi_peta_diterima")
        pin = f"Titik peta ({lat:.5f}, {long:.5f})"
        place = " ".join(place.split()).strip(" ,.-")
        values = ok({
            "pengaduan_lokasi": f"{place}, {pin.lower()}" if place else pin,
            "pengaduan_lat": lat,
            "pengaduan_long": long,
        })
        area = find_area(place) if place else None
        if area:
            values["pengaduan_kelurahan"] = area
        values.update(await self.duplicates(tracker, dispatcher, values))
        return values

    async def validate_pengaduan_kelurahan(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if not value:
            return {}
        text = str(value).strip()
        area = canonical_area(text) or find_area(text) or plausible_area_name(text)
        if area is None:
            return failed(
                dispatcher, tracker, domain, "pengaduan_kelurahan", "utter_pengaduan_kelurahan_tidak_dikenal",
                jawaban=text[:40],
            )
        values = ok({"pengaduan_kelurahan": area})
        if tracker.get_slot("pengaduan_lokasi"):
            values.update(await self.duplicates(tracker, dispatcher, values))
        return values

    async def validate_pengaduan_dukung(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if value is None:
            return {}
        if isinstance(value, bool):
            return ok({"pengaduan_dukung": value})
        answer = yes_no(tracker, str(value))
        if answer is None:
            if re.search(r"\b(baru|sendiri)\b", str(value), re.I):
                answer = False
            elif re.search(r"\bdukung\b", str(value), re.I):
                answer = True
        if answer is None:
            buttons = [{"title": "Ya, dukung", "payload": "/ya"}, {"title": "Buat laporan baru", "payload": "/tidak"}]
            return failed(dispatcher, tracker, domain, "pengaduan_dukung", "utter_pengaduan_pilihan_tidak_dikenal",
                          buttons)
        return ok({"pengaduan_dukung": answer})

    async def validate_pengaduan_deskripsi(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if not value:
            return {}
        text = clean_description(_META.sub(" ", str(value)))
        if len(text.split()) < 3 and _META.search(str(value)):
            # "Mohon dibaca pesan pertama saya.": the story is in the message that opened the report.
            text = clean_description(opening_message(tracker))
        if text.startswith("/") or len(text) < 12 or len(text.split()) < 3:
            return failed(
                dispatcher, tracker, domain, "pengaduan_deskripsi", "utter_pengaduan_deskripsi_terlalu_pendek"
            )
        return ok({"pengaduan_deskripsi": text[:2000]})

    async def validate_pengaduan_foto(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if not value:
            return {}
        text = str(value).strip()
        if text == NO_PHOTO:
            return ok({"pengaduan_foto": NO_PHOTO})
        # Only files of the gateway's own media store: a typed payload with any other link
        # (tracking pixel, internal address, file:) is refused like no photo at all.
        settings = get_settings()
        urls = [str(u) for u in entity_values(tracker, "media_url") if is_own_media_url(str(u), settings)]
        photo = text if is_own_media_url(text, settings) else (urls[-1] if urls else None)
        if photo:
            dispatcher.utter_message(response="utter_pengaduan_foto_diterima")
            return ok({"pengaduan_foto": photo})
        if intent_of(tracker) in {"lewati", "tidak"} or SKIP_WORDS.search(text):
            return ok({"pengaduan_foto": NO_PHOTO})
        skip = [{"title": "Lewati", "payload": "/lewati"}]
        return failed(dispatcher, tracker, domain, "pengaduan_foto", "utter_pengaduan_foto_tidak_valid", skip)

    async def validate_pengaduan_identitas(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if value is None:
            return {}
        if isinstance(value, bool):
            return ok({"pengaduan_identitas": value})
        text = str(value)
        answer: bool | None
        if intent_of(tracker) == "pilih_anonim" or re.search(r"\banonim", text, re.I):
            answer = False
        else:
            answer = yes_no(tracker, text)
            if answer is None and re.search(r"\b(cantumkan|pakai nama|pake nama)\b", text, re.I):
                answer = True
        if answer is None:
            buttons = [
                {"title": "Cantumkan nama dan HP", "payload": "/ya"},
                {"title": "Anonim saja", "payload": "/pilih_anonim"},
            ]
            return failed(dispatcher, tracker, domain, "pengaduan_identitas", "utter_pengaduan_pilihan_tidak_dikenal",
                          buttons)
        values = ok({"pengaduan_identitas": answer})
        if answer is False:
            values.update({"pengaduan_persetujuan": None, "pengaduan_nama": None, "pengaduan_telepon": None})
        else:
            # "boleh, nama saya Budi Santoso hp 0812...": not asked again one by one after consent.
            given = {"pengaduan_nama": name_in(text), "pengaduan_telepon": phone_in(text)}
            values.update({k: v for k, v in given.items() if v})
        return values

    async def validate_pengaduan_persetujuan(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if value is None:
            return {}
        if isinstance(value, bool):
            return ok({"pengaduan_persetujuan": value})
        answer = False if intent_of(tracker) == "pilih_anonim" else yes_no(tracker, str(value))
        if answer is None:
            buttons = [{"title": "Setuju", "payload": "/ya"}, {"title": "Tidak, anonim saja", "payload": "/tidak"}]
            return failed(dispatcher, tracker, domain, "pengaduan_persetujuan",
                          "utter_pengaduan_pilihan_tidak_dikenal", buttons)
        if answer is False:
            # No consent, no personal data: the report goes anonymously.
            dispatcher.utter_message(response="utter_pengaduan_tanpa_identitas")
            return ok({"pengaduan_persetujuan": False, "pengaduan_identitas": False,
                       "pengaduan_nama": None, "pengaduan_telepon": None})
        return ok({"pengaduan_persetujuan": True})

    async def validate_pengaduan_nama(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if not value:
            return {}
        text = re.sub(r"\s+", " ", str(value)).strip()
        phone = phone_in(text)
        if phone:  # "rizky 085711223344": both in one answer
            text = _PHONE_IN_TEXT.sub(" ", text).strip(" ,")
        name = re.sub(r"^(nama saya|namaku|saya|aku)\s+", "", text, flags=re.I)
        name = _NAME_REMARK.sub("", name).strip(" .")
        if not _NAME.match(name) or len(name.replace(" ", "")) < 2:
            return failed(dispatcher, tracker, domain, "pengaduan_nama", "utter_pengaduan_nama_tidak_valid")
        values = ok({"pengaduan_nama": name})
        if phone:
            values["pengaduan_telepon"] = phone
        return values

    async def validate_pengaduan_telepon(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if not value:
            return {}
        raw = re.sub(r"[^\d+]", "", str(value))
        try:
            number = phonenumbers.parse(raw, "ID")
            valid = phonenumbers.is_valid_number(number) and number.country_code == 62
        except phonenumbers.NumberParseException:
            valid = False
        if not valid:
            return failed(dispatcher, tracker, domain, "pengaduan_telepon", "utter_pengaduan_telepon_tidak_valid")
        return ok({"pengaduan_telepon": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)})

    def _changed_part(self, tracker: Tracker, text: str) -> str | None:
        for value in entity_values(tracker, "bagian_pengaduan"):
            if str(value) in CHANGE:
                return str(value)
        lowered = text.lower()
        for part, words in _CHANGE_WORDS.items():
            if any(re.search(rf"\b{w}", lowered) for w in words):
                return part
        return None

    def _clear(self, part: str) -> Slots:
        values: Slots = dict.fromkeys(CHANGE[part])
        values.update({"pengaduan_bagian_diubah": None, "pengaduan_konfirmasi": None, "pengaduan_gagal": 0})
        return values

    async def validate_pengaduan_konfirmasi(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if not value:
            return {}
        text = str(value)
        if text in {"kirim", "ubah"}:
            return {"pengaduan_konfirmasi": text}
        intent = intent_of(tracker)
        if intent == "ubah_pengaduan" or re.match(r"^(ubah|ganti|edit|koreksi|perbaiki)\b", text.strip(), re.I):
            part = self._changed_part(tracker, text)
            return self._clear(part) if part else ok({"pengaduan_konfirmasi": "ubah"})
        if intent in YES_INTENTS or re.match(r"^(kirim|ya|iya|ok|oke|benar|betul|sudah benar)\b", text.strip(), re.I):
            return ok({"pengaduan_konfirmasi": "kirim"})
        buttons = [
            {"title": "Kirim", "payload": "/kirim_pengaduan"},
            {"title": "Ubah", "payload": "/ubah_pengaduan"},
        ]
        return failed(dispatcher, tracker, domain, "pengaduan_konfirmasi", "utter_pengaduan_konfirmasi_tidak_dikenal",
                      buttons)

    async def validate_pengaduan_bagian_diubah(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if not value:
            return {}
        part = str(value) if str(value) in CHANGE else self._changed_part(tracker, str(value))
        if part is None:
            return failed(
                dispatcher, tracker, domain, "pengaduan_bagian_diubah", "utter_pengaduan_bagian_tidak_dikenal"
            )
        return self._clear(part)


class ActionAskPengaduanKonfirmasi(Action):
    """The summary before sending, with Kirim / Ubah / Batal."""

    def name(self) -> str:
        return "action_ask_pengaduan_konfirmasi"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_pengaduan_ringkasan", **summary(tracker, domain))
        return []


def summary(tracker: Tracker, domain: DomainDict) -> dict[str, str]:
    slot = tracker.get_slot
    place = str(slot("pengaduan_lokasi") or "-")
    area = slot("pengaduan_kelurahan")
    if area and str(area).lower() not in place.lower():
        place = f"{place}, Kel. {area}"
    photo = slot("pengaduan_foto")
    has_photo = bool(photo) and photo != NO_PHOTO
    if slot("pengaduan_identitas") is True and slot("pengaduan_nama"):
        reporter = f"{slot('pengaduan_nama')} ({mask_phone(slot('pengaduan_telepon'))})"
    else:
        reporter = response_text(domain, "utter_pengaduan_pelapor_anonim")
    return {
        "kategori": str(slot("pengaduan_kategori_nama") or slot("pengaduan_kategori") or "-"),
        "lokasi": place,
        "deskripsi": str(slot("pengaduan_deskripsi") or "-"),
        "foto": response_text(domain, "utter_pengaduan_foto_ada" if has_photo else "utter_pengaduan_foto_tidak_ada"),
        "pelapor": reporter,
    }


def local_today(timezone: str) -> dt.date:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(timezone)).date()


__all__ = ["ActionAskPengaduanKonfirmasi", "ValidatePengaduanForm", "local_today", "service_name", "summary"]
