"""The complaint form: which questions are still needed, and checking every answer.

Every form slot is filled from the text of the answer (see the domain), and the validators below
read the latest message's intent and entities to interpret it. That way an answer the NLU model
is unsure about still reaches a validator, which re-asks helpfully instead of the conversation
falling out of the form; only explicit digressions (questions, chit-chat, "batal") leave it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.answers import PHONE_IN_TEXT, parse_phone, phone_in
from actions.common.city import city_values
from actions.common.tracker import coordinates, entity_values, latest_intent
from actions.form_base import CitizenFormValidation, Slots
from actions.pengaduan_antrean import ensure_worker
from actions.pengaduan_bantu import NO_PHOTO, duplicate_offer, match_service, services
from actions.pengaduan_jawaban import (
    CHANGE,
    COORDINATES_OR_LINKS,
    META,
    NAME,
    NAME_REMARK,
    SKIP_WORDS,
    YES_INTENTS,
    answer_yes_no,
    changed_part,
    clean_description,
    is_vague,
    name_in,
    opening_message,
)
from actions.pengaduan_peta import map_link_in, point_in_text, resolve_map_link
from actions.pengaduan_tempat import canonical_area, find_area, looks_like_place, plausible_area_name
from citybot.media_links import is_own_media_url
from citybot.service_area import in_service_area
from citybot.settings import get_settings

logger = logging.getLogger(__name__)


class ValidatePengaduanForm(CitizenFormValidation):
    # Re-asked answers are counted; from the second unusable one on, the citizen is offered
    # the form's choices, a human agent and leaving the form.
    failure_slot = "pengaduan_gagal"
    help_response = "utter_pengaduan_butuh_bantuan"
    help_buttons = (("utter_pengaduan_tombol_petugas", "/bicara_petugas"), ("utter_pengaduan_tombol_batal", "/batal"))

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

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ensure_worker()
        return await super().run(dispatcher, tracker, domain)

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
            if available and self.failures(tracker) < 1:
                dispatcher.utter_message(response="utter_pengaduan_kategori_pilih", buttons=buttons)
                return {"pengaduan_kategori": None, self.failure_slot: 1}
            return self.reask(
                dispatcher,
                tracker,
                domain,
                "pengaduan_kategori",
                "utter_pengaduan_kategori_tidak_dikenal",
                buttons,
                jawaban=text[:60],
            )
        code, name = found
        values = self.accepted({"pengaduan_kategori": code, "pengaduan_kategori_nama": name})
        values.update(await duplicate_offer(tracker, dispatcher, values))
        return values

    async def validate_pengaduan_lokasi(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if not value:
            return {}
        text = str(value).strip()
        if latest_intent(tracker) == "kirim_lokasi" or text.startswith("/kirim_lokasi"):
            point = coordinates(tracker)
            if point is None:
                return self.reask(
                    dispatcher, tracker, domain, "pengaduan_lokasi", "utter_pengaduan_lokasi_kurang_jelas"
                )
            return await self._map_point(point, "", dispatcher, tracker, domain)
        link = map_link_in(text)
        point = point_in_text(text)
        if link and point is None:
            point = await resolve_map_link(link)
            if point is None:
                return self.reask(
                    dispatcher, tracker, domain, "pengaduan_lokasi", "utter_pengaduan_lokasi_tautan_gagal"
                )
        if point is not None:
            rest = COORDINATES_OR_LINKS.sub(" ", text)
            return await self._map_point(point, rest if looks_like_place(rest) else "", dispatcher, tracker, domain)
        if text.startswith("/") or is_vague(text) or len(text) > 300 or not looks_like_place(text):
            return self.reask(dispatcher, tracker, domain, "pengaduan_lokasi", "utter_pengaduan_lokasi_kurang_jelas")
        values = self.accepted({"pengaduan_lokasi": text, "pengaduan_lat": None, "pengaduan_long": None})
        area = next((canonical_area(str(e)) for e in entity_values(tracker, "kelurahan")), None)
        area = area or find_area(text)
        if area:
            values["pengaduan_kelurahan"] = area
        values.update(await duplicate_offer(tracker, dispatcher, values))
        return values

    async def _map_point(
        self,
        point: tuple[float, float],
        place: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Slots:
        """A pin from the map, a typed pair of coordinates or a map link: inside the city or re-asked."""
        lat, long = point
        if not in_service_area(lat, long):
            return self.reask(
                dispatcher,
                tracker,
                domain,
                "pengaduan_lokasi",
                "utter_pengaduan_lokasi_di_luar_wilayah",
                kota=city_values().name,
            )
        dispatcher.utter_message(response="utter_pengaduan_lokasi_peta_diterima")
        pin = f"Titik peta ({lat:.5f}, {long:.5f})"
        place = " ".join(place.split()).strip(" ,.-")
        values = self.accepted(
            {
                "pengaduan_lokasi": f"{place}, {pin.lower()}" if place else pin,
                "pengaduan_lat": lat,
                "pengaduan_long": long,
            }
        )
        area = find_area(place) if place else None
        if area:
            values["pengaduan_kelurahan"] = area
        values.update(await duplicate_offer(tracker, dispatcher, values))
        return values

    async def validate_pengaduan_kelurahan(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if not value:
            return {}
        text = str(value).strip()
        area = canonical_area(text) or find_area(text) or plausible_area_name(text)
        if area is None:
            return self.reask(
                dispatcher,
                tracker,
                domain,
                "pengaduan_kelurahan",
                "utter_pengaduan_kelurahan_tidak_dikenal",
                jawaban=text[:40],
            )
        values = self.accepted({"pengaduan_kelurahan": area})
        if tracker.get_slot("pengaduan_lokasi"):
            values.update(await duplicate_offer(tracker, dispatcher, values))
        return values

    async def validate_pengaduan_dukung(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if value is None:
            return {}
        if isinstance(value, bool):
            return self.accepted({"pengaduan_dukung": value})
        answer = answer_yes_no(tracker, str(value))
        if answer is None:
            if re.search(r"\b(baru|sendiri)\b", str(value), re.I):
                answer = False
            elif re.search(r"\bdukung\b", str(value), re.I):
                answer = True
        if answer is None:
            buttons = [{"title": "Ya, dukung", "payload": "/ya"}, {"title": "Buat laporan baru", "payload": "/tidak"}]
            return self.reask(
                dispatcher, tracker, domain, "pengaduan_dukung", "utter_pengaduan_pilihan_tidak_dikenal", buttons
            )
        return self.accepted({"pengaduan_dukung": answer})

    async def validate_pengaduan_deskripsi(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if not value:
            return {}
        text = clean_description(META.sub(" ", str(value)))
        if len(text.split()) < 3 and META.search(str(value)):
            # "Mohon dibaca pesan pertama saya.": the story is in the message that opened the report.
            text = clean_description(opening_message(tracker))
        if text.startswith("/") or len(text) < 12 or len(text.split()) < 3:
            return self.reask(
                dispatcher, tracker, domain, "pengaduan_deskripsi", "utter_pengaduan_deskripsi_terlalu_pendek"
            )
        return self.accepted({"pengaduan_deskripsi": text[:2000]})

    async def validate_pengaduan_foto(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if not value:
            return {}
        text = str(value).strip()
        if text == NO_PHOTO:
            return self.accepted({"pengaduan_foto": NO_PHOTO})
        # Only files of the gateway's own media store: a typed payload with any other link
        # (tracking pixel, internal address, file:) is refused like no photo at all.
        settings = get_settings()
        urls = [str(u) for u in entity_values(tracker, "media_url") if is_own_media_url(str(u), settings)]
        photo = text if is_own_media_url(text, settings) else (urls[-1] if urls else None)
        if photo:
            dispatcher.utter_message(response="utter_pengaduan_foto_diterima")
            return self.accepted({"pengaduan_foto": photo})
        if latest_intent(tracker) in {"lewati", "tidak"} or SKIP_WORDS.search(text):
            return self.accepted({"pengaduan_foto": NO_PHOTO})
        skip = [{"title": "Lewati", "payload": "/lewati"}]
        return self.reask(dispatcher, tracker, domain, "pengaduan_foto", "utter_pengaduan_foto_tidak_valid", skip)

    async def validate_pengaduan_identitas(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if value is None:
            return {}
        if isinstance(value, bool):
            return self.accepted({"pengaduan_identitas": value})
        text = str(value)
        answer: bool | None
        if latest_intent(tracker) == "pilih_anonim" or re.search(r"\banonim", text, re.I):
            answer = False
        else:
            answer = answer_yes_no(tracker, text)
            if answer is None and re.search(r"\b(cantumkan|pakai nama|pake nama)\b", text, re.I):
                answer = True
        if answer is None:
            buttons = [
                {"title": "Cantumkan nama dan HP", "payload": "/ya"},
                {"title": "Anonim saja", "payload": "/pilih_anonim"},
            ]
            return self.reask(
                dispatcher, tracker, domain, "pengaduan_identitas", "utter_pengaduan_pilihan_tidak_dikenal", buttons
            )
        values = self.accepted({"pengaduan_identitas": answer})
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
            return self.accepted({"pengaduan_persetujuan": value})
        answer = False if latest_intent(tracker) == "pilih_anonim" else answer_yes_no(tracker, str(value))
        if answer is None:
            buttons = [{"title": "Setuju", "payload": "/ya"}, {"title": "Tidak, anonim saja", "payload": "/tidak"}]
            return self.reask(
                dispatcher, tracker, domain, "pengaduan_persetujuan", "utter_pengaduan_pilihan_tidak_dikenal", buttons
            )
        if answer is False:
            # No consent, no personal data: the report goes anonymously.
            dispatcher.utter_message(response="utter_pengaduan_tanpa_identitas")
            return self.accepted(
                {
                    "pengaduan_persetujuan": False,
                    "pengaduan_identitas": False,
                    "pengaduan_nama": None,
                    "pengaduan_telepon": None,
                }
            )
        return self.accepted({"pengaduan_persetujuan": True})

    async def validate_pengaduan_nama(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if not value:
            return {}
        text = re.sub(r"\s+", " ", str(value)).strip()
        phone = phone_in(text)
        if phone:  # "rizky 085711223344": both in one answer
            text = PHONE_IN_TEXT.sub(" ", text).strip(" ,")
        name = re.sub(r"^(nama saya|namaku|saya|aku)\s+", "", text, flags=re.I)
        name = NAME_REMARK.sub("", name).strip(" .")
        if not NAME.match(name) or len(name.replace(" ", "")) < 2:
            return self.reask(dispatcher, tracker, domain, "pengaduan_nama", "utter_pengaduan_nama_tidak_valid")
        values = self.accepted({"pengaduan_nama": name})
        if phone:
            values["pengaduan_telepon"] = phone
        return values

    async def validate_pengaduan_telepon(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if not value:
            return {}
        phone = parse_phone(str(value))
        if phone is None:
            return self.reask(dispatcher, tracker, domain, "pengaduan_telepon", "utter_pengaduan_telepon_tidak_valid")
        return self.accepted({"pengaduan_telepon": phone})

    def _clear(self, part: str) -> Slots:
        values: Slots = dict.fromkeys(CHANGE[part])
        values.update({"pengaduan_bagian_diubah": None, "pengaduan_konfirmasi": None, self.failure_slot: 0})
        return values

    async def validate_pengaduan_konfirmasi(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if not value:
            return {}
        text = str(value)
        if text in {"kirim", "ubah"}:
            return {"pengaduan_konfirmasi": text}
        intent = latest_intent(tracker)
        if intent == "ubah_pengaduan" or re.match(r"^(ubah|ganti|edit|koreksi|perbaiki)\b", text.strip(), re.I):
            part = changed_part(tracker, text)
            return self._clear(part) if part else self.accepted({"pengaduan_konfirmasi": "ubah"})
        if intent in YES_INTENTS or re.match(r"^(kirim|ya|iya|ok|oke|benar|betul|sudah benar)\b", text.strip(), re.I):
            return self.accepted({"pengaduan_konfirmasi": "kirim"})
        buttons = [
            {"title": "Kirim", "payload": "/kirim_pengaduan"},
            {"title": "Ubah", "payload": "/ubah_pengaduan"},
        ]
        return self.reask(
            dispatcher, tracker, domain, "pengaduan_konfirmasi", "utter_pengaduan_konfirmasi_tidak_dikenal", buttons
        )

    async def validate_pengaduan_bagian_diubah(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        if not value:
            return {}
        part = str(value) if str(value) in CHANGE else changed_part(tracker, str(value))
        if part is None:
            return self.reask(
                dispatcher, tracker, domain, "pengaduan_bagian_diubah", "utter_pengaduan_bagian_tidak_dikenal"
            )
        return self._clear(part)
