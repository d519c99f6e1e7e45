"""Typed emergencies in citizens' own words: fire, flood/disaster danger, crime, missing persons.

Two layers, both standard library only (the Rasa environment and the action server share them):
- `PRECISE`: wording that means danger to people *now*. The NLU safety net turns any message
  matching one of these into `darurat`, whatever the classifier said, so each pattern must stay
  precise: a pothole that "could cause an accident", "rawan begal" or knee-deep water are
  complaints, not emergencies.
- `kind_of`: which emergency it is, for the reply (numbers and first steps differ). It also
  reads looser hints, because by then the message is already known to be an emergency.
"""

from __future__ import annotations

import re

from citybot.nlu.red_flag_patterns import RED_FLAGS
from citybot.nlu.request_cues import describes_a_problem

MEDICAL, FIRE, DISASTER, CRIME, MISSING, GENERAL = "medis", "kebakaran", "bencana", "kejahatan", "sar", "umum"
CRISIS = "krisis"  # someone may harm themselves: company and a counselling line, not CPR steps

_NOW = r"(sekarang|skrg|lagi|sedang|sdg|barusan|baru saja|tadi|mau|akan|bakal|udah mulai|sudah mulai)"
_UNREACHABLE = r"\b(tidak|tdk|gak|ga|belum|blm) bisa (dihubungi|ditelepon|ditelpon|dikontak)\b"
_PERSON = r"(orang|warga|anak|bocah|balita|bayi|nenek|kakek|lansia|ibu|bapak|adik|kakak|korban|penumpang|pengendara)"
_KIN = _PERSON[1:-1] + r"|keluarga|suami|istri|saudara|teman|nelayan|pemancing|wisatawan|pengunjung|pendaki"

PRECISE: dict[str, re.Pattern[str]] = {
    CRISIS: re.compile(
        r"\b(bunuh diri|gantung diri|mengakhiri hidup|akhiri hidup|ingin mati|pengen mati|mau mati aja)\b"
        r"|\b(mau|ingin|pengen|akan|ancam) (loncat|lompat|terjun) dari\b",
        re.IGNORECASE,
    ),
    FIRE: re.compile(
        r"\bkebakaran\b(?!\s+(hutan\s+)?(kemarin|minggu lalu|tahun lalu|bulan lalu))"
        r"|\b(ter|ke)bakar\b(?!.{0,15}\b(sampah|kemarin)\b)"
        r"|\bdilalap (si jago merah|api)\b|\bapi(nya)? (makin |semakin )?(besar|membesar|menjalar|berkobar)\b"
        r"|\b(tabung )?gas\b.{0,20}\b(meledak|bocor.{0,20}(bau|api))\b"
        r"|\bledakan\b(?!\s+(petasan|mercon|kembang api|knalpot))"
        r"|\bterjebak (di )?(dalam )?(lift|api|kobaran)\b|\b(api|kobaran)\b.{0,15}\b(keluar|muncul) dari\b"
        r"|\bbau gas\b.{0,30}\b(menyengat|keras|banget|sekali|kuat|tercium|di mana-mana|dimana2)\b"
        r"|\b(korsleting|korslet|konslet|konsleting|kabel)\b.{0,30}"
        r"\b(berasap|keluar api|percikan api|memercik|nyala api)\b"
        r"|\b(kompor|tabung|tangki|trafo|gardu)\b.{0,15}\b(meledak|ledakan)\b"
        # Thick smoke pouring out of a building is a fire until the firefighters say otherwise.
        r"|\basap\b( \w+){0,2} (tebal|pekat|mengepul|membubung|hitam)\b.{0,30}\b(dari|keluar)\b.{0,20}"
        r"\b(rumah|gedung|ruko|pabrik|gudang|kios|toko|kantor|sekolah|pasar|apartemen|kontrakan|kos|warung|lantai)\b"
        r"|\b(rumah|gedung|ruko|pabrik|gudang|kios|toko|apartemen|kontrakan)\b( \w+){0,3} "
        r"(mengeluarkan|keluar) asap (tebal|pekat|hitam)\b",
        re.IGNORECASE,
    ),
    DISASTER: re.compile(
        r"\b(se|setinggi |sampai |sampe |nyampe |hingga |udah |sudah |di ?atas |diatas |melebihi |lewat |sebatas |"
        r"mencapai |capai |sepantar )(dada|leher|dagu|kepala|atap|plafon|plafond|genteng|pundak|bahu)\b"
        r"|\b(dada|leher|dagu) (orang|org) (dewasa|tua)\b"
        r"|\b(banjir|air|ketinggian)\b.{0,30}\b(1[,.][5-9]|satu setengah) ?(m|meter)\b"
        r"|(?<!rawan )(?<!potensi )\b(banjir bandang|air bah)\b"
        r"|\b(terperangkap|terkurung)\b.{0,20}\b(banjir|air|rumah|reruntuhan|puing)\b"
        r"|\b(banjir|air)\b.{0,80}\b(" + _PERSON[1:-1] + r"|kami|keluarga|lansia|anak\w*)\b.{0,20}"
        r"\b(tidak|tdk|gak|ga|nggak|belum|blm) (bisa|dapat|sempat) ((di|mem|mem)?bawa(nya)? )?(keluar|mengungsi)\b"
        r"|\b(pengungsi|mengungsi|pengungsian)\b.{0,60}"
        r"\b(butuh|perlu|kekurangan|belum ada|belum dapat|tidak ada|gak ada|ga ada|tolong|bantuan|selimut)\b"
        r"|\bgunung\b.{0,30}\b(meletus|erupsi|menyemburkan|memuntahkan)\b|\babu vulkanik\b"
        r"|\bgempa\b.{0,60}\b(retak|terbelah|rusak berat|luka|terluka|mengungsi|pengungsi|evakuasi|"
        r"berhamburan|pasien|tsunami)\b"
        r"|\b(retak|terbelah|rusak berat|terluka|mengungsi|berhamburan|pasien|korban)\b.{0,60}"
        r"\b(akibat|karena|krn|pasca|setelah|"
        r"habis|gara2|gara-gara) gempa\b"
        r"|\b(lantai|lt\.?) ?(2|dua)\b.{0,25}\b(kerendam|terendam|tenggelam|kebanjiran|kena air|banjir)\b"
        r"|\b(banjir|air|ketinggian)\b.{0,30}\b([2-9](,\d)?|dua|tiga) ?(m|meter)\b"
        r"|\b(ter|ke)jebak\b(?!\s+(macet|kemacetan|antrian|antrean|hujan))|\bterkepung (air|banjir)\b"
        r"|\b(banjir|air|ketinggian)\b.{0,30}\b(1[2-9]\d|[2-9]\d\d) ?cm\b"
        r"|\bterisolasi\b|\bterisolir\b|\bselamatkan (kami|saya|anak|warga|orang|mereka|nyawa|keluarga|korban)\b"
        r"|\b(belum|blm|butuh|perlu|minta|mohon|tolong|segera|menunggu|nunggu) (di ?)?evakuasi\b"
        r"|\bperahu (karet )?(untuk |buat )?evakuasi\b"
        r"|\b(butuh|perlu|kirim|kirimkan|dikirim|minta|menunggu|nunggu) (\w+ )?perahu\b"
        r"|\b(kirim|belum ada|blm ada|tidak ada|gak ada|ga ada|menunggu|nunggu) "
        r"(\w+ )?bantuan( (makanan|logistik|evakuasi|perahu|segera))?\b(?!.{0,20}\b(pengerukan|perbaikan|pompa)\b)"
        # "saya butuh bantuan" alone opens a conversation; help is urgent when it is named or in a disaster.
        r"|\b(butuh|perlu) (\w+ )?bantuan (makanan|logistik|evakuasi|perahu|segera|secepatnya)\b"
        r"|\b(banjir|terendam|kebanjiran|longsor|gempa|bencana|pengungsi)\b.{0,120}\b(butuh|perlu) (\w+ )?bantuan\b"
        r"(?!.{0,20}\b(pengerukan|perbaikan|pompa|petugas)\b)"
        r"|\bbantuan (makanan|logistik|evakuasi|perahu)\b"
        r"|\b(tidak ada|tdk ada|gak ada|ga ada|belum ada|blm ada|minim|kekurangan|kehabisan) "
        r"(bantuan|makanan|logistik)\b"
        r"|\bbencana\b.{0,160}\b(tolong|bantuan|bantuannya)\b"
        r"|(?<!jalan )(?<!turap )(?<!talud )\b(tanah )?longsor(?!.{0,3}jalan)(?!\s+(sedikit|sebagian|kecil)\b)"
        r"(?!.{0,15}\b(menutup\w*|saluran|got|selokan|drainase)\b)"
        r"|\b(tanggul|bendungan|tanggulnya)\b.{0,40}\b(jebol|bobol|ambrol|runtuh|pecah)\b"
        r"|\b(jebol|bobol)(nya)? (tanggul|bendungan)\b"
        r"|\blongsor\b.{0,40}\b(rumah|menimpa|tertimbun|timbun|korban|warga|orang)\b|\btertimbun\b"
        r"|\bgempa\b.{0,50}\b(roboh|runtuh|ambruk|rubuh|tertimpa|korban)\b"
        r"|\b(rumah|bangunan|gedung|sekolah|masjid)\b.{0,15}\b(roboh|runtuh|ambruk|rubuh)\b"
        r"|\btertimpa (reruntuhan|bangunan|tembok)\b"
        r"|\b(plafon|plafond|atap)(nya)? (runtuh|ambruk|roboh|jebol)\b|\b(tembok|dinding)(nya)? (runtuh|ambruk|roboh)\b"
        r"|\b(rumah|rumah2|kampung|perumahan|desa|atap)\b.{0,20}\btenggelam\b"
        r"|\b(erupsi|awan panas|lahar|tsunami)\b"
        r"|\b(pohon|tiang|baliho|reklame)\b.{0,20}\b(tumbang|roboh|ambruk|rubuh|jatuh)\b.{0,25}\b(menimpa|nimpa|timpa)\b"
        r"( (dua|tiga|beberapa|seorang|sebuah|satu|\d+))?"
        r" (orang|warga|pengendara|pejalan|anak|mobil|motor|rumah|kendaraan)\b"
        r"(?!.{0,30}\b(parkir|terparkir|tidak ada korban|tak ada korban|gak ada korban)\b)"
        r"|\b(tertimpa|ketimpa|kejatuhan) (pohon|tiang|baliho|reklame)\b"
        r"|\b(puting beliung|angin kencang|angin ribut)\b.{0,60}\b(terluka|luka|korban|atap\w* (terbang|beterbangan)|"
        r"rumah\w* (roboh|rusak parah|hancur))\b"
        r"|\b(korban jiwa|meninggal|tewas|terluka|luka-luka)\b.{0,40}\b(banjir|longsor|gempa|puting beliung|bencana)\b"
        r"|\b(banjir|longsor|gempa|puting beliung|bencana)\b.{0,60}\b(korban jiwa|meninggal|tewas|luka-luka)\b",
        re.IGNORECASE,
    ),
    CRIME: re.compile(
        r"\b(di|ke)(begal|rampok|todong|jambret|bacok|tusuk|keroyok|aniaya|culik|sandera)\b"
        r"|\b(perampokan|pembacokan|penusukan|pengeroyokan|penculikan|penyanderaan)\b.{0,30}\b" + _NOW + r"\b"
        r"|\btawuran\b.{0,30}\b(" + _NOW[1:-1] + r"|pecah)\b|\b" + _NOW + r" (ada )?tawuran\b"
        r"|\b(akan|bakal|siap|siap2|bersiap|hendak|mo|sudah kumpul|udah kumpul|berkumpul)\b( \w+){0,2} tawuran\b"
        r"|\btawuran\b.{0,40}\b(sajam|celurit|clurit|golok|parang|samurai|lempar batu|korban|luka)\b"
        r"|\b(ancam|mengancam|diancam|ngancam|ngancem)\w*\b.{0,30}"
        r"\b(sajam|senjata|golok|parang|celurit|clurit|pisau|pistol|senpi|badik|arit|samurai)\b"
        r"|\b(bawa|membawa|bawa2|acung|acungkan|mengacungkan|ngacungin|pegang|memegang)\b.{0,15}"
        r"\b(sajam|senjata tajam|golok|parang|celurit|clurit|pisau|pistol|senjata api|senpi|badik|samurai)\b"
        r"|\b(mukulin|memukuli|menghajar|menganiaya|nganiaya|menyiksa|nyiksa)\b.{0,15}"
        r"\b(istri|suami|anak|ibu|bapak|ayah|pacar|nenek|kakek|adik)\w*"
        r"|\bkdrt\b|\b(diperkosa|pemerkosaan|dilecehkan)\b|\b(dipukuli|dihajar|dianiaya)\b.{0,20}\b(suami|istri|ayah|bapak|pacar)\b"
        r"|\b(maling|pencuri|perampok)\b.{0,20}\b(masuk|di dalam|sedang|lagi|masih)\b"
        r"|\b(mengamuk|ngamuk)\b"
        r"|\b(odgj|orang gila|gangguan jiwa|mabuk)\b.{0,60}\b(membahayakan|mengancam|menyerang)\b"
        r"|\bmembahayakan (pihak )?(keluarga|anak|istri|suami|orang serumah|penghuni)\b"
        r"|\b(marah-marah|marah2|ngamuk2)\b.{0,40}\b(merusak|memukul|mengancam|membahayakan|melempar)\w*"
        r"|\bmengamankan (orang|odgj|pelaku|seseorang)\b"
        r"|\b(ditemukan|menemukan|ada) (sesosok )?(mayat|jasad)\b"
        r"|\b(mayat|jasad)\b.{0,20}\b(tergeletak|mengapung|ditemukan)\b"
        r"|(?<!pernah )(?<!dulu )\b(ada|terjadi|sedang|lagi) (\w+ ){0,2}(penembakan|penjarahan)\b"
        r"|\b(dijarah|ditembak|tertembak)\b"
        r"|\b(perkelahian|berkelahi|duel|carok)\b.{0,30}"
        r"\b(" + _NOW[1:-1] + r"|berdarah|luka|sajam|pisau|golok|celurit)\b",
        re.IGNORECASE,
    ),
    MISSING: re.compile(
        r"\b(hanyut|terseret arus|terbawa arus|keseret arus|kebawa arus|ditelan (arus|ombak))\b"
        r"|\b(tersesat|hilang) di (gunung|hutan|laut|tengah laut)\b"
        r"|\b(pendaki|nelayan|pemancing|penyelam|wisatawan)\w*\b.{0,40}"
        r"\b(terpisah|tersesat|belum kembali|belum pulang|belum (bisa )?dihubungi|hilang)\b"
        r"|\b(" + _KIN + r")\w*\b.{0,30}\b(terseret|terbawa|kebawa|keseret|digulung|tergulung) (ombak|banjir|air bah)\b"
        r"|\b(" + _KIN + r")\w*\b.{0,40}\b(hilang|putus) kontak\b"
        r"|\b(hilang|putus|kehilangan) kontak\b.{0,30}\b(" + _KIN + r")\w*"
        r"|\b" + _PERSON + r"\b.{0,25}\btenggelam\b|\btenggelam di (sungai|kali|laut|danau|waduk|kolam|empang|sumur)\b"
        r"|\b(mobil|motor|kendaraan|bus|angkot|truk|truck)\b.{0,20}\b(masuk|nyemplung|tercebur|kecebur|terjun|terperosok)\b"
        r".{0,10}\b(di|ke)?(kali|sungai|jurang|laut|danau|waduk|empang|got besar)\b"
        r"|\b(tercebur|kecebur|terjatuh|jatuh) (ke |di )?(ke|di)?(sungai|kali|laut|sumur|danau|waduk)\b"
        r"|\b(sungai|kali|laut|danau|waduk|kolam|sumur)\b.{0,40}"
        r"\b(belum muncul|tidak muncul|gak muncul|belum ditemukan)\b"
        # Relatives out of reach in a flooded house: a search, whichever is said first.
        r"|\b(banjir|kebanjiran|terendam|kerendam|tenggelam)\b.{0,120}"
        + _UNREACHABLE
        + r"|"
        + _UNREACHABLE
        + r".{0,120}\b(banjir|kebanjiran|terendam|kerendam|tenggelam)\b",
        re.IGNORECASE,
    ),
    MEDICAL: re.compile(
        RED_FLAGS.pattern
        + r"|\bmuntah darah\b|\b(panggil(kan)?|butuh|perlu|minta|kirim(kan)?|dikirim(kan)?|datangkan) ambulan(s|ce)?\b"
        r"|\b(sopir|pengemudi|pengendara|orang|warga|korban|pemilik\w*|penumpang|pekerja)\b.{0,20}\b(terjepit|kejepit)\b"
        r"|\b(pasien|nenek|kakek|ibu|bapak|ayah|anak|bayi|balita|lansia)\w*\b.{0,10}\bsesak\b"
        r"|\b(digigit|tergigit|kegigit|gigitan) anjing\b.{0,60}\b(luka|parah|darah|berdarah|sobek|tolong|bantuan|bantu)"
        r"|\b(luka|berdarah|tolong)\b.{0,40}\b(digigit|tergigit|kegigit|gigitan) anjing\b"
        r"|\b(kesetrum|tersetrum|kesengat listrik|tersengat listrik|tersambar petir)\b|\bluka bakar\b"
        r"|\b" + _PERSON + r"\w*\b.{0,20}\b(tergeletak|tidak bergerak|gak bergerak|ga bergerak)\b",
        re.IGNORECASE,
    ),
}

# Once the message is known to be an emergency: which kind it most likely is.
_HINTS: list[tuple[str, re.Pattern[str]]] = [
    (FIRE, re.compile(r"\b(kebakaran|terbakar|kebakar|api|damkar|pemadam|asap|meledak|ledakan)\b", re.I)),
    (MISSING, re.compile(r"\b(hanyut|arus|hilang|tenggelam|tercebur|kecebur|sar|basarnas)\b", re.I)),
    (
        DISASTER,
        re.compile(
            r"\b(banjir|air|evakuasi|tanggul|turap|longsor|gempa|roboh|runtuh|ambruk|erupsi|bencana|angin|"
            r"puting beliung|terjebak|bpbd)\b",
            re.I,
        ),
    ),
    (
        CRIME,
        re.compile(
            r"\b(begal|rampok|todong|jambret|copet|maling|pencuri|tawuran|sajam|golok|celurit|pisau|polisi|kdrt|"
            r"dipukul|dianiaya|diancam|mengancam)\w*",
            re.I,
        ),
    ),
    (
        MEDICAL,
        re.compile(
            r"\b(pingsan|sadar|napas|nafas|dada|jantung|kejang|darah|stroke|ambulan|ambulans|luka|patah|keracunan|"
            r"overdosis|digigit|kecelakaan|tabrakan|igd|sakit)\w*",
            re.I,
        ),
    ),
]


# "anak saya hilang" is a search; "KTP anak saya hilang" is a permit question.
_PERSON_MISSING = re.compile(
    r"\b" + _PERSON + r"\b( \w+){0,2} (hilang|belum ditemukan|blm ketemu|belum ketemu|tidak pulang|gak pulang)\b", re.I
)
_BELONGINGS = re.compile(
    r"\b(ktp|e-?ktp|kk|akta|kartu|sim|stnk|bpkb|dompet|hp|handphone|ponsel|surat|berkas|dokumen|ijazah|paspor|"
    r"motor|sepeda|barang|tas|kucing|sinyal|listrik|air|riwayat|data|imunisasi|vaksin|akun|aplikasi|sertifikat|"
    r"nomor|foto|nama)\b",
    re.I,
)


def _clean(text: str) -> str:
    return " ".join(text.split())[:2000]


# "asapnya menyebabkan sesak napas": a lasting nuisance with a health effect, not a collapse now.
_CAUSED_BY_NUISANCE = re.compile(
    r"\b(menyebabkan|mengakibatkan|membuat|bikin|bisa|dapat|berakibat|akibatnya|sampai|sampe)\b.{0,15}"
    r"\b(sesak|batuk|sakit|pingsan)"
    r"|\b(sesak|batuk|pingsan)\w*( \w+){0,2} (karena|akibat|gara2|gara-gara|krn) (asap|bau|debu|polusi|pembakaran)\b",
    re.IGNORECASE,
)


# "tembok pagar roboh kena banjir, tidak ada korban": damage the writer says hurt no one.
_NO_VICTIMS = re.compile(r"\b(tidak|tak|gak|ga|nggak) ada (korban|yang (terluka|luka|tertimpa))\b", re.IGNORECASE)


# A danger that might happen ("rawan kebakaran", "tembok miring hampir roboh", "hidran kebakaran
# rusak") is a report for the service that prevents it: these phrases are read out before the
# fire and disaster patterns run.
_POTENTIAL = re.compile(
    r"\b(rawan|potensi|berpotensi|bahaya|risiko|resiko|takut|khawatir|dikhawatirkan|cegah|mencegah|pencegahan|"
    r"memicu|picu|bisa|dapat|menyebabkan|mengakibatkan|hampir|nyaris|terancam|sebelum|jangan sampai|bekas|pasca|"
    r"hidran|hydrant|apar|pemadam)\b( (terjadi|ada|jadi|sampai|sampe|menimbulkan))?"
    r"( (kompor|tabung|gas|trafo|gardu|tangki)){0,2}"
    r" (kebakaran|korsleting|konsleting|korslet|konslet|terbakar|meledak|ledakan|roboh|runtuh|ambruk|rubuh|longsor|"
    r"jebol|tumbang|tertimpa|kena timpa)\b",
    re.IGNORECASE,
)


# A report of a recurring or past problem that asks for a repair ("tiap hujan gang kami terisolasi,
# mohon salurannya diperbaiki", "kemarin ada kecelakaan karena lubang ini, tolong ditambal") is a
# complaint: the danger words describe why the repair matters, not a danger to someone now.
_RECURRING = re.compile(
    r"\b(tiap|setiap|tiap kali|setiap kali) (hujan|malam|hari|tahun|musim|pagi|sore)\b|\blangganan banjir\b"
    r"|\bsering (terjadi|ada|banjir|tergenang|kecelakaan|tabrakan|jatuh|longsor)\b"
    r"|\b(sudah|udah) (banyak|sering) korban\b",
    re.IGNORECASE,
)
_PAST = re.compile(r"\b(kemarin|kemaren|minggu lalu|bulan lalu|tahun lalu|beberapa hari lalu)\b", re.IGNORECASE)
_REPAIR_REQUEST = re.compile(
    r"\b(mohon|tolong|minta|harap|segera)\b( \w+){0,3} (di)?(perbaiki|tambal|ganti|keruk|bersihkan|normalisasi|"
    r"tindak ?lanjuti|buatkan|pasang|pangkas|tebang|angkut)\w*",
    re.IGNORECASE,
)
_DANGER_NOW = re.compile(
    r"\b(se|sampai |sampe |setinggi )(dada|leher|atap)\b|\b(evakuasi|terjebak|kejebak|hanyut|tertimbun|terjepit|"
    r"sekarang|saat ini|barusan|sedang|tidak sadar|pingsan|tolong kami)\b",
    re.IGNORECASE,
)
_VICTIMS = re.compile(r"\b(korban\w*|terluka|luka\w*|meninggal|tewas|berdarah)\b", re.IGNORECASE)
# A fire the writer says is already out is a repair for the utility, not a call for the fire brigade.
_FIRE_OUT = re.compile(r"\b(sudah|udah|telah|sdh) (padam|dipadamkan|mati|berhasil dipadamkan)\b", re.IGNORECASE)


def is_a_repair_report(text: str) -> bool:
    """A recurring or past problem, or one without victims, whose writer asks for a repair."""
    clean = _clean(text)
    if not _REPAIR_REQUEST.search(clean) or _DANGER_NOW.search(clean):
        return False
    return bool(_RECURRING.search(clean) or _PAST.search(clean)) or not _VICTIMS.search(clean)


def is_recurring(text: str) -> bool:
    """ "tiap hujan", "sering terjadi": a lasting problem, with no sign of danger now."""
    clean = _clean(text)
    return bool(_RECURRING.search(clean)) and not _DANGER_NOW.search(clean)


def precise_kind(text: str) -> str | None:
    """The kind of emergency the wording states precisely, or None."""
    clean = _clean(text)
    if is_a_repair_report(clean) or is_recurring(clean):
        kinds: tuple[str, ...] = (CRISIS, MISSING, CRIME)
    elif _FIRE_OUT.search(clean):
        kinds = (CRISIS, MISSING, DISASTER, CRIME, MEDICAL)
    else:
        kinds = (CRISIS, FIRE, MISSING, DISASTER, CRIME, MEDICAL)
    for kind in kinds:
        if kind in (MEDICAL, DISASTER) and (_CAUSED_BY_NUISANCE if kind == MEDICAL else _NO_VICTIMS).search(clean):
            continue
        if PRECISE[kind].search(_POTENTIAL.sub(" ", clean) if kind in (FIRE, DISASTER) else clean):
            return kind
        if kind == MISSING and _PERSON_MISSING.search(clean) and not _BELONGINGS.search(clean):
            return kind
    return None


def kind_of(text: str) -> str:
    """The kind of a message already taken as an emergency (for the reply)."""
    clean = _clean(text)
    if found := precise_kind(clean):
        return found
    for kind, hint in _HINTS:
        if hint.search(clean):
            return kind
    return GENERAL


# Words that make an unclassified emergency plausible even without a typed pattern.
_ALARM = re.compile(r"\b(darurat|emergency|gawat|toloong+|sos|nyawa|selamatkan|help)\b|\btolong\s*!", re.IGNORECASE)
# Reports use these too ("lubang berbahaya, tolong diperbaiki sebelum ada korban", "banjir lagi,
# tolong dipompa"): next to an everyday problem they are no sign of danger. A flood is an
# emergency through the depth, trapped or evacuation words the precise patterns read.
_WEAK_ALARM = re.compile(r"\b(bahaya|berbahaya|tolong|korban)\b", re.IGNORECASE)


def plausible_emergency(text: str) -> bool:
    """Whether a message the classifier called an emergency has any sign of danger in it.

    "Mengapa belum ada tindak lanjut? Baunya makin parah." was answered with 112 and CPR steps.
    """
    clean = _clean(text)
    if precise_kind(clean):
        return True
    if _CAUSED_BY_NUISANCE.search(clean) or is_a_repair_report(clean) or is_recurring(clean):
        return False
    if _ALARM.search(clean):
        return True
    if _WEAK_ALARM.search(clean) and not describes_a_problem(clean):
        return True
    # Water in the street or the house is first of all a report: a flood is an emergency only
    # with words of danger (depth, people trapped, evacuation), which the precise patterns read.
    return kind_of(clean) not in (GENERAL, DISASTER)
