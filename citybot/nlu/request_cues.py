"""Word-level cues that decide what a message asks for, beyond the learned intent.

Standard library only: the Rasa component (`guards.py`) and the action server both use it.
"""

from __future__ import annotations

import re

DATA_RIGHTS_INTENTS = frozenset({"lihat_data_saya", "hapus_data_saya"})

# A data-rights request names the citizen's data as such ("data saya", "data pribadi",
# "informasi tentang saya") or the law that grants the right.
_OWN_DATA = re.compile(
    r"\bdata ?(saya|sy|pribadi|diri|ku|aku|gw|gue|gua)(ku|nya)?\b|\bdata (pribadi|diri) (saya|sy|ku|aku|gw|gue)\b"
    r"|\bdata (\w+ )?(yang|yg) (sudah )?(saya|aku|gw|gue)\b|\bdata \w+ (saya|ku|aku|gw|gue)\b|\bdatanya (di)?hapus"
    r"|\b(info|informasi) (saya|ku|aku|gw|gue)\b|\batas nama saya\b"
    r"|\b(nomor hp|no hp|alamat)\b.{0,25}\b(kesimpan|tersimpan|disimpan)\b"
    r"|\bdata(nya)? (yang|yg) (kalian|anda|kamu|sistem|tersimpan|disimpan|tercatat)\b"
    r"|\b(info|informasi|data) (apa )?(saja |aja )?(tentang|soal|ttg|atas nama) (saya|aku|gw|gue|sy)\b"
    r"|\binformasi pribadi\b|\bidentitas (saya|ku|sy)\b|\buu ?pdp\b|\bhak (akses|untuk dihapus|subjek data)\b"
    r"|\b(kalian|anda|kamu|sistem)\b.{0,30}\b(simpan|nyimpen|catat|tahu|tau|punya)\b.{0,30}\b(saya|aku|gw|gue)\b"
    r"|\b(hapus|hapusin|delete)\b.{0,20}\b(nomor hp|riwayat|jejak|akun|nama dan alamat)\b"
    r"|\b(cabut|tarik) persetujuan\b|\banonimkan\b|\blupakan data\b",
    re.IGNORECASE,
)
# Civil-registration papers: "data saya di KK salah" asks about a document, not about our records.
_DOCUMENTS = re.compile(
    r"\b(ktp|e-?ktp|kk|kartu keluarga|akta|akte|kia|nik|dukcapil|capil|disdukcapil|paspor|sim|bpjs|kis|npwp|"
    r"ijazah|skck|surat)\b",
    re.IGNORECASE,
)
_OUR_SYSTEM = re.compile(
    r"\b(sistem|kalian|asisten|chat|percakapan|tersimpan|disimpan|simpan|nyimpen|pdp|aplikasi ini|di sini|disini)\b",
    re.IGNORECASE,
)


def asks_for_own_data(text: str) -> bool:
    """True when the words ask to see or delete what the city's systems hold about the sender."""
    clean = " ".join(text.split())[:2000]
    if not _OWN_DATA.search(clean):
        return False
    return not _DOCUMENTS.search(clean) or bool(_OUR_SYSTEM.search(clean))


# Short confirmations in everyday registers: "y", "iya tampilin", "ya hapus", "iya batalkan".
_YES = re.compile(r"^(y|ya+|iya+|iyah|yes|yup|yoi|ok|oke|okey|okay|boleh|setuju|betul|bener|benar|siap|lanjut|gas)\b")
_NO = re.compile(r"^(tidak|tdk|nggak|ngga|gak|ga|engga|enggak|ndak|no|nope|jangan|jgn|bukan)\b")
_NOT_A_CONFIRMATION = re.compile(
    r"\b(tidak|tdk|nggak|ngga|gak|ga|enggak|jangan|jgn|bukan|makasih|terima ?kasih|thanks|suwun|nuhun|"
    r"ampun|allah|dah|bye|thx|trims|tq|segitu|sampai (nanti|jumpa|ketemu)|see (you|u))\b|\?",
    re.IGNORECASE,
)
MAX_CONFIRMATION_WORDS = 4
# Intents that already say what a short answer means in context; the cue never overrides them.
SPECIFIC_ANSWER_INTENTS = frozenset(
    {
        "ya",
        "tidak",
        "batal",
        "batal_homecare",
        "lewati",
        "pilih_anonim",
        "darurat",
        "kirim_pengaduan",
        "ubah_pengaduan",
        "sudah_beres",
        "belum_beres",
        "lanjutkan_laporan",
        "hapus_data_saya",
        "lihat_data_saya",
    }
)


def short_answer(text: str) -> str | None:
    """ "ya"/"tidak" for a short confirmation or refusal, else None (the classifier decides)."""
    clean = " ".join(text.lower().split()).strip(" .!,")
    words = clean.split()
    if not words or len(words) > MAX_CONFIRMATION_WORDS:
        return None
    if _YES.match(clean) and not _NOT_A_CONFIRMATION.search(clean):
        return "ya"
    if _NO.match(clean) and len(words) <= 2 and "jadi" not in words:
        return "tidak"
    return None


# "Saya mau bicara dengan orang, bukan dengan mesin": a person is asked for, whatever else is said.
_HUMAN = re.compile(
    r"\b(bicara|berbicara|ngomong|ngobrol|chat|chatting|sambungkan|sambungin|hubungkan|hubungin|dilayani|dibantu)\b"
    r"( langsung)?( saya)?\s+(dengan|sama|ke|dgn|ama|oleh)\s+"
    r"(orang|manusia|petugas|operator|cs|customer service|admin|agen)\b"
    r"(?!\s+(dinas|kelurahan|puskesmas|pln|pdam|kecamatan))"
    r"|\b(minta|mau|ingin|pengen)\s+(ke\s+|sama\s+)?(petugas|operator|cs|manusia|admin)"
    r"( (saja|aja|langsung|manusia))*\s*[.!]*$"
    r"|\bbukan (dengan |sama |dgn )?(mesin|robot|bot)\b",
    re.IGNORECASE,
)
# "bukan mau lapor", "sy ga mau lapor, sy nanya ...": the citizen says this is not a report.
_NOT_A_REPORT = re.compile(
    r"\b(bukan|ga|gak|nggak|ngga|enggak|tidak|tdk|ndak|ora|mboten)\s+(lagi\s+|sedang\s+|bermaksud\s+|usah\s+|badhe\s+)?"
    r"(mau\s+|mo\s+|mw\s+|ingin\s+|pengen\s+|niat\s+)?(bikin\s+|buat\s+|membuat\s+)?"
    r"(lapor|melapor|ngelapor|laporan|pengaduan|ngadu|mengadu|aduan|komplain|dilaporin|dilaporkan)\b"
    r"|\bjangan\s+(di)?(buat|bikin|jadikan)\s+laporan\b",
    re.IGNORECASE,
)
# A message that only announces a question ("mau nanya", "kak mau tanya dong").
_BARE_QUESTION_OPENER = re.compile(
    r"^((halo|hai|permisi|maaf|min|kak|pak|bu|mas|mbak|gan|bang)[ ,]*)*(saya |sy |aku |gw )?"
    r"(mau|mo|mw|ingin|pengen|boleh|izin)\s+(tanya|nanya|bertanya|tny)"
    r"( (dong|donk|sih|kak|min|ya|nih|bang|pak|bu))*[ ?!.]*$",
    re.IGNORECASE,
)


def asks_for_a_person(text: str) -> bool:
    return bool(_HUMAN.search(" ".join(text.split())[:2000]))


def says_not_a_report(text: str) -> bool:
    return bool(_NOT_A_REPORT.search(" ".join(text.split())[:2000]))


def is_bare_question_opener(text: str) -> bool:
    return bool(_BARE_QUESTION_OPENER.match(" ".join(text.split())[:200]))


# A question about a service: how/what/where/whether/how much, "mau tanya", "syaratnya", "?".
_QUESTION = re.compile(
    r"\?|\b(bagaimana|gimana|gmn|gmana|bgmn|bagaimanakah|apa(kah)?|apa aja|apa saja|berapa|brp|dimana|di ?mana|dmn|"
    r"kemana|ke mana|kapan|bisakah|bisa(kah)? (gak|ga|nggak|tidak|enggak)|"
    r"bolehkah|boleh (gak|ga|nggak|tidak)|apakah|mengapa|kenapa|knp|"
    r"syarat(nya)?|persyaratan|prosedur|caranya|cara (daftar|mengurus|ngurus|bikin|membuat|mendapatkan|dapat)|"
    r"(mau|mo|ingin|izin|mohon) (tanya|nanya|bertanya|menanyakan|info|informasi)|tanya dong|nanya dong|"
    r"mohon (penjelasan|pencerahan|dibantu infonya)|piye|kepriye|pripun|kumaha|kudu|harus (ke|bawa|apa))\b",
    re.IGNORECASE,
)
# Words of a report: the problem is here and a service should come (the question then is "when").
_REPORT = re.compile(
    r"\b(rusak|berlubang|bolong|lubang|mampet|tersumbat|buntu|(ke)?banjir(an)?|genangan|tergenang|sampah|menumpuk|"
    r"numpuk|(lampu|pju|penerangan|listrik|air|pdam)\b.{0,20}\b(mati|padam)|mati lampu|padam|tumbang|roboh|pungli|"
    r"pungutan liar|dimintai (uang|biaya)|minta(in)? uang|uang (pelicin|rokok)|parkir liar|jukir|tukang parkir|"
    r"bocor|macet|bau|kotor|liar|menjuntai|mengganggu|menghalangi|"
    r"kabel (putus|semrawut|jatuh|kendor)|petasan|mercon|penertiban|(di)?tertibkan|pdam|tidak mengalir|"
    r"gak (keluar|ngalir)|ga (keluar|ngalir)|"
    r"belum (di)?(tindak ?lanjut|perbaiki|benerin|angkut|respon)|tidak (di)?(tindak ?lanjut|angkut|respon)|"
    r"mohon (segera )?(di)?(perbaiki|tindak ?lanjuti|bersihkan|angkut|tertibkan)|tolong (di)?(perbaiki|benerin))\b",
    re.IGNORECASE,
)
# Intents a plain problem description outranks ("Pohon tumbang depan ..., tidak bisa dilewati").
REPORT_OVERRIDABLE = frozenset(
    {
        "out_of_scope",
        "tidak_jelas",
        "chitchat",
        "salam",
        "tanya_kemampuan",
        "cari_produk",
        "tanya_layanan",
    }
)
QUESTION_OVERRIDABLE = frozenset(
    {
        "tanya_layanan",
        "lapor_pengaduan",
        "out_of_scope",
        "keluhan_kesehatan",
        "chitchat",
        "salam",
        "tanya_kemampuan",
        "terima_kasih",
        "selamat_tinggal",
        "tidak_jelas",
    }
)


# A health or civil-registration service named in a request ("mohon diadakan fogging", "pengaktifan
# BPJS PBI belum juga ...") is a matter for the knowledge answer, not a complaint to a dinas.
_SERVICE_TOPIC = re.compile(
    r"\b(bpjs|kis|jkn|pbi|puskesmas|posyandu|vaksin\w*|imunisasi|booster|fogging|foging|pengasapan|dbd|"
    r"demam berdarah|ktp|e-?ktp|kk|kartu keluarga|akta|akte|kia|skck|nib|pbg|imb|dukcapil|capil|klampid|"
    r"kereta|tiket|stasiun|krl|kai)\b",
    re.IGNORECASE,
)


def _squeeze(text: str) -> str:
    """ "banjiiiir" -> "banjir": citizens stretch words for emphasis."""
    return re.sub(r"([a-z])\1{2,}", r"\1", " ".join(text.lower().split())[:2000])


def asks_a_question(text: str) -> bool:
    return bool(_QUESTION.search(_squeeze(text)))


def names_a_service(text: str) -> bool:
    return bool(_SERVICE_TOPIC.search(_squeeze(text)))


# Wishes, thanks and praise mention problems without reporting one ("semoga tidak banjir").
_NOT_A_REPORT_TONE = re.compile(
    r"\b(semoga|mudah-mudahan|mudah2an|moga2|amin|aamiin|apre\w{0,3}si\w*|salut|mantap|keren|hebat|bangga|"
    r"terima ?kasih (untuk|atas|kepada) (petugas|bapak|ibu|pak|bu|tim))\b",
    re.IGNORECASE,
)


def describes_a_problem(text: str) -> bool:
    clean = _squeeze(text)
    return bool(_REPORT.search(clean)) and not _NOT_A_REPORT_TONE.search(clean)


# Laughter and emoticons carry no request: answer like a greeting, never queue a human for it.
_LAUGHTER = re.compile(
    r"^((w+k+)+w*|(ha){2,}h?|(he){2,}h?|(hi){2,}h?|(xi){2,}|lol|lmao|awok(wok)*|:[)dp]+|[😂🤣😅😆]+)[ !.]*$",
    re.IGNORECASE,
)


def is_laughter(text: str) -> bool:
    return bool(_LAUGHTER.match(" ".join(text.split())[:100]))


# A booking named with a change to it: "batalin homecare nya ya", "jadwal dokter ke rumah diganti".
_HOMECARE = r"(home ?care|homecare\w*|kunjungan( dokter)?|dokter( ke rumah)?|dottoro'?ta)"
_CANCEL_BOOKING = re.compile(
    rf"\b(batal\w*|cancel\w*|gak jadi|ga jadi|nggak jadi|tidak jadi)\b.{{0,25}}\b{_HOMECARE}\b"
    rf"|\b{_HOMECARE}\b.{{0,25}}\b(batal\w*|dibatalkan|cancel\w*|gak jadi|ga jadi|tidak jadi)\b",
    re.IGNORECASE,
)
_RESCHEDULE_BOOKING = re.compile(
    rf"\b(ubah|ganti|pindah|geser|undur|majukan|mundurkan)\w*\s+(jadwal|hari|jam|waktu)\b.{{0,30}}\b{_HOMECARE}\b"
    rf"|\b{_HOMECARE}\b.{{0,30}}\b(diubah|diganti|dipindah|digeser|diundur|ubah jadwal|ganti jadwal)\b",
    re.IGNORECASE,
)


def booking_change(text: str) -> str | None:
    """ "batal_homecare" / "ubah_jadwal_homecare" when a HomeCare booking and a change are named."""
    clean = " ".join(text.split())[:2000]
    if _CANCEL_BOOKING.search(clean):
        return "batal_homecare"
    if _RESCHEDULE_BOOKING.search(clean):
        return "ubah_jadwal_homecare"
    return None


# Contact details given as an answer ("boleh, nama saya Budi hp 0812..."), not a question.
_CONTACT = re.compile(
    r"\bnama (saya|sy|aku)\b|\b(no|nomor|nomer)? ?(hp|wa|telp)\b\s*:?\s*(\+?62|0)8|(?<!\d)08\d{8,}", re.IGNORECASE
)


def gives_contact_details(text: str) -> bool:
    return bool(_CONTACT.search(" ".join(text.split())[:2000]))


# "yang di bawah 50 ribu aja": money words are about the catalogue, never a HomeCare time slot.
_PRICE = re.compile(
    r"\b(\d+\s*(rb|ribu|rbu|k|jt|juta)|rp\.?\s*\d|harga\w*|murah\w*|mahal|budget|bujet|ribu)\b", re.IGNORECASE
)


def mentions_a_price(text: str) -> bool:
    return bool(_PRICE.search(" ".join(text.split())[:2000]))


# A customer's grievance with a company (hotel, telco, bank, courier, shop, app) is not a matter
# for a city service, even when it says "rusak", "kotor" or "lapor": unless a public place is named.
_CONSUMER = re.compile(
    r"\b(hotel|restoran|resto|kafe|cafe|rumah makan|bank|atm|teller|provider|operator seluler|telkomsel|indosat|"
    r"smartfren|xl|pulsa|kuota|paket (data|internet)|tagihan (internet|wifi|kartu kredit)|sinyal|wifi|kurir|"
    r"ekspedisi|jne|j&t|sicepat|marketplace|toko online|olshop|seller|penjual|pesanan|refund|customer service|"
    r"cs(nya)?|ojol|gojek|grab|shopee|tokopedia|bengkel|dealer|leasing|debt collector|asuransi|bioskop|gym|salon|"
    r"laundry|produk|barang(nya)?|porsi|rasanya|pelayanan(nya)? (toko|bank|hotel|"
    r"restoran|kurir|cs))(nya)?\b",
    re.IGNORECASE,
)
_PUBLIC_PLACE = re.compile(
    r"\b(jalan|jln|jl|gang|gg|trotoar|saluran|got|selokan|drainase|sungai|kali|taman|lampu|pju|fasilitas umum|"
    r"fasum|halte|terminal|pasar|parkir|jukir|pedagang kaki lima|pkl|rt|rw|kelurahan|kecamatan|kampung|"
    r"perumahan|komplek|kompleks|pemkot|pemda|dinas|satpol|warga)\b",
    re.IGNORECASE,
)


def names_a_public_place(text: str) -> bool:
    return bool(_PUBLIC_PLACE.search(_squeeze(text)))


def about_a_private_business(text: str) -> bool:
    clean = _squeeze(text)
    return bool(_CONSUMER.search(clean)) and not _PUBLIC_PLACE.search(clean)


# People buying and selling among themselves ("WTS tiket ...", "ada yg butuh tiket KA besok? PC ya"):
# a marketplace post, not a question for a city service, even when it names a train.
_TRADE = re.compile(
    r"(?<!\w)#?(wts|wtb|titip jual|oper tiket|jual cepat)\b"
    r"|\b(ada yang|ada yg|siapa yang|siapa yg)( \w+){0,2} (jual|butuh|mau beli|beli|punya)( \w+){0,3} tiket\b"
    r"|\btiket\b.{0,120}\b(harga nego|minat (dm|pc|chat|hubungi)|dm aja|pc aja|lgsg pc|langsung pc|bisa pc|bisa dm)\b",
    re.IGNORECASE,
)


def offers_a_trade(text: str) -> bool:
    return bool(_TRADE.search(_squeeze(text)))


# A permit, a health service or an office named next to a company ("izin PIRT untuk produk rumahan",
# "saya kerja di hotel, surat domisilinya ke kelurahan mana") keeps the message a city matter.
_CITY_MATTER = re.compile(
    r"\b(izin|perizinan|pirt|halal|sertifikat|surat|syarat\w*|daftar|pendaftaran|umkm|usaha mikro|domisili|"
    r"dinas|pemkot|pemda|kelurahan|kecamatan|puskesmas|rumah sakit|rsud|dokter|retribusi|pajak|bansos)\b",
    re.IGNORECASE,
)


def names_a_city_matter(text: str) -> bool:
    """A city service, office, permit or public place is named ("syarat PBG", "kelurahan", "jalan")."""
    clean = _squeeze(text)
    return bool(_SERVICE_TOPIC.search(clean) or _CITY_MATTER.search(clean) or _PUBLIC_PLACE.search(clean))


def outside_city_services(text: str) -> bool:
    """A grievance with a company or a trade among people, and no city service or public place in it."""
    if offers_a_trade(text):
        return True
    return about_a_private_business(text) and not names_a_service(text) and not _CITY_MATTER.search(_squeeze(text))


# What a real question asks for: requirements, a procedure, a price, a place, whether something is
# allowed. Without these, "kapan/kenapa/gimana" next to a described problem is a reproach, not a question.
_ASKS_FOR_INFORMATION = re.compile(
    r"\?|\b(syarat\w*|persyaratan|prosedur|cara\w*|berapa|brp|di ?mana|dmn|ke ?mana|"
    r"(mau|ingin|mohon|izin) (tanya|nanya|info|informasi)|apakah|bisakah|bolehkah)\b",
    re.IGNORECASE,
)


def reports_with_a_reproach(text: str) -> bool:
    """ "Banjir lagi di Jl. Melati, kapan salurannya dilebarkan": a city problem in a public place
    with a "when/why" that asks for action, not for information."""
    clean = _squeeze(text)
    return (
        describes_a_problem(clean)
        and asks_a_question(clean)
        and names_a_public_place(clean)
        and not names_a_service(clean)
        and not _ASKS_FOR_INFORMATION.search(clean)
    )
