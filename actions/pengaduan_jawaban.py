"""Reading the answers of a complaint: vague places, names, the story, which part to change.

Kept apart from the form so the start of a report (actions/pengaduan.py) and an emergency turned
into a draft (actions/darurat.py) read a message the same way the form does.
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker

from actions.common.answers import yes_no
from actions.common.tracker import entity_values, latest_intent

YES_INTENTS = {"ya", "kirim_pengaduan"}
SKIP_WORDS = re.compile(r"\b(lewat|lewati|skip|tidak ada|ga ada|gak ada|nggak ada|tanpa foto|ngga ada)\b", re.I)
COORDINATES_OR_LINKS = re.compile(r"https?://\S+|[-+]?\d{1,3}\.\d{3,10}\s*,\s*[-+]?\d{1,3}\.\d{3,10}", re.I)
NAME = re.compile(r"^[A-Za-z][A-Za-z .'\-]{1,59}$")
# Words that say where only together with a name: "depan rumah saya" alone is not a place.
_VAGUE = {
    "di",
    "sini",
    "situ",
    "sana",
    "depan",
    "dpn",
    "rumah",
    "rmh",
    "saya",
    "sy",
    "aku",
    "kami",
    "dekat",
    "deket",
    "dkt",
    "samping",
    "belakang",
    "blkg",
    "jalan",
    "jln",
    "jl",
    "gang",
    "gg",
    "kampung",
    "lokasi",
    "tempat",
    "tau",
    "tahu",
    "nggak",
    "gak",
    "ga",
    "tidak",
    "ini",
    "itu",
    "yang",
    "yg",
    "pokoknya",
    "daerah",
}
# Which slots one "ubah" choice clears (the form then asks them again).
CHANGE = {
    "kategori": (
        "pengaduan_kategori",
        "pengaduan_kategori_nama",
        "pengaduan_duplikat",
        "pengaduan_duplikat_info",
        "pengaduan_dukung",
    ),
    "lokasi": (
        "pengaduan_lokasi",
        "pengaduan_lat",
        "pengaduan_long",
        "pengaduan_kelurahan",
        "pengaduan_duplikat",
        "pengaduan_duplikat_info",
        "pengaduan_dukung",
    ),
    "deskripsi": ("pengaduan_deskripsi",),
    "foto": ("pengaduan_foto",),
    "identitas": ("pengaduan_identitas", "pengaduan_persetujuan", "pengaduan_nama", "pengaduan_telepon"),
}
CHANGE_WORDS = {
    "kategori": ("kategori", "jenis", "masalah"),
    "lokasi": ("lokasi", "alamat", "tempat", "jalan", "kelurahan"),
    "deskripsi": ("keterangan", "deskripsi", "cerita", "penjelasan"),
    "foto": ("foto", "gambar"),
    "identitas": ("nama", "hp", "nomor", "telepon", "identitas", "anonim"),
}


def answer_yes_no(tracker: Tracker, text: str) -> bool | None:
    """Yes or no to one of the form's questions; "kirim" counts as yes."""
    return yes_no(text, latest_intent(tracker), yes_intents=YES_INTENTS)


def changed_part(tracker: Tracker, text: str) -> str | None:
    """Which part of the report the citizen wants to change ("ubah lokasi"), if any."""
    for value in entity_values(tracker, "bagian_pengaduan"):
        if str(value) in CHANGE:
            return str(value)
    lowered = text.lower()
    for part, words in CHANGE_WORDS.items():
        if any(re.search(rf"\b{w}", lowered) for w in words):
            return part
    return None


def is_vague(text: str) -> bool:
    words = re.findall(r"[a-z0-9]+", text.lower())
    meaningful = [w for w in words if w not in _VAGUE]
    return len(text.strip()) < 6 or not meaningful


# Remarks about the conversation, not about the problem: never sent to the dinas as the story.
META = re.compile(
    r"\b((kan|sudah|udah|udh|sdh|tadi)\s+){1,2}(saya|sy|aye|aku|gw|gue)?\s*"
    r"(bilang|sebut(kan)?|tulis|sampaikan|kasih ?tau|jelaskan)"
    r"(\s+(di ?atas|tadi|sebelumnya))?\b[ ,.!]*(min|bang|kak|pak|bu)?|\b(mohon|tolong|coba)\s+(di)?baca\s+(lagi\s+)?"
    r"(pesan|chat|tulisan)\s+(pertama|sebelumnya|tadi|di ?atas)(\s+saya)?|\bseperti (yang )?(saya )?(tulis|sebut)(kan)?"
    r"( di ?atas| tadi)?",
    re.IGNORECASE,
)

NAME_IN_TEXT = re.compile(
    r"\bnama(?:nya)?\s*(?:saya|sy|aku|ku|gw|gue)?\s*(?:adalah|:)?\s*([A-Za-z][A-Za-z.' ]{1,40}?)"
    r"(?=\s*(?:[,.;]|\b(?:hp|no|nomor|nomer|telp|telepon|wa|kan|min|kak|dan)\b|\d|$))",
    re.IGNORECASE,
)
# "budi santoso, kan tadi udah": the name, without the remark.
NAME_REMARK = re.compile(r"\s*(?:,|\b(?:kan|udah|sudah|tadi|min|kak|bang|ya|dong|deh)\b).*$", re.IGNORECASE)


def name_in(text: str) -> str | None:
    """ "nama saya Budi Santoso hp 0812..." -> "Budi Santoso"."""
    match = NAME_IN_TEXT.search(text)
    name = match.group(1).strip(" .") if match else ""
    return name if NAME.match(name) and len(name.replace(" ", "")) >= 2 else None


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
