"""National seed content: the complaint categories and status notes every city shares.

What differs per city (jurisdiction, areas, puskesmas, catalogue, sample complaints and permits)
lives in the city profile folders, `cities/<key>/`.
"""

from __future__ import annotations

# code, name, group, agency, description, keywords
SERVICES = [
    (
        "jalan-rusak",
        "Jalan Rusak / Berlubang",
        "Infrastruktur",
        "Dinas Bina Marga",
        "Jalan berlubang, aspal mengelupas, jalan amblas atau retak.",
        ["jalan rusak", "jalan berlubang", "lubang jalan", "aspal rusak", "jalan amblas", "jalan retak"],
    ),
    (
        "banjir",
        "Banjir / Genangan",
        "Lingkungan",
        "Dinas Sumber Daya Air",
        "Genangan air di jalan atau permukiman, banjir kiriman, air tidak surut.",
        ["banjir", "genangan", "tergenang", "kebanjiran", "air naik", "air tidak surut"],
    ),
    (
        "sampah",
        "Sampah Menumpuk",
        "Kebersihan",
        "Dinas Lingkungan Hidup",
        "Sampah belum diangkut, TPS penuh, pembuangan sampah liar.",
        ["sampah", "sampah menumpuk", "tumpukan sampah", "sampah liar", "tps penuh", "belum diangkut"],
    ),
    (
        "lampu-jalan",
        "Lampu Jalan Mati",
        "Infrastruktur",
        "Dinas Bina Marga (Penerangan Jalan Umum)",
        "Lampu penerangan jalan umum (PJU) mati, berkedip atau tiangnya rusak.",
        ["lampu jalan mati", "pju mati", "lampu mati", "penerangan jalan", "jalan gelap", "tiang lampu"],
    ),
    (
        "pohon-tumbang",
        "Pohon Tumbang / Rawan Tumbang",
        "Lingkungan",
        "Dinas Pertamanan dan Hutan Kota",
        "Pohon tumbang, dahan patah, atau pohon miring yang membahayakan.",
        ["pohon tumbang", "pohon roboh", "dahan patah", "ranting patah", "pohon miring"],
    ),
    (
        "saluran-tersumbat",
        "Saluran Air Tersumbat",
        "Lingkungan",
        "Dinas Sumber Daya Air",
        "Got, selokan, gorong-gorong atau drainase tersumbat dan meluap.",
        ["saluran tersumbat", "got mampet", "selokan mampet", "drainase", "gorong-gorong", "got meluap"],
    ),
    (
        "parkir-liar",
        "Parkir Liar",
        "Ketertiban",
        "Dinas Perhubungan",
        "Kendaraan parkir di bahu jalan/trotoar terlarang atau juru parkir liar.",
        ["parkir liar", "parkir sembarangan", "jukir liar", "parkir di trotoar", "juru parkir"],
    ),
    (
        "pkl",
        "Pedagang Kaki Lima",
        "Ketertiban",
        "Satuan Polisi Pamong Praja",
        "Pedagang kaki lima berjualan di trotoar, badan jalan atau taman.",
        ["pkl", "pedagang kaki lima", "lapak di trotoar", "jualan di trotoar", "pedagang liar"],
    ),
    (
        "pungli",
        "Pungutan Liar",
        "Pelayanan Publik",
        "Inspektorat",
        "Permintaan uang di luar tarif resmi dalam pelayanan publik.",
        ["pungli", "pungutan liar", "minta uang", "biaya tidak resmi", "calo", "uang rokok"],
    ),
    (
        "fasilitas-umum",
        "Fasilitas Umum Rusak",
        "Infrastruktur",
        "Dinas Cipta Karya dan Tata Ruang",
        "Halte, taman, toilet umum, trotoar, jembatan penyeberangan atau bangku taman rusak.",
        ["fasilitas umum rusak", "halte rusak", "taman rusak", "toilet umum", "trotoar rusak", "jpo rusak"],
    ),
    (
        "kebisingan",
        "Kebisingan",
        "Ketertiban",
        "Satuan Polisi Pamong Praja",
        "Suara bising dari kegiatan usaha, knalpot, atau pengeras suara pada jam istirahat.",
        ["bising", "berisik", "kebisingan", "suara keras", "musik keras", "knalpot brong"],
    ),
    (
        "air-bersih",
        "Air Bersih Tidak Mengalir",
        "Utilitas",
        "Perusahaan Air Minum Daerah",
        "Air PAM/PDAM tidak mengalir, keruh, bau, atau pipa bocor.",
        ["air mati", "air bersih", "air keruh", "pam mati", "pdam", "pipa bocor"],
    ),
    (
        "sarang-nyamuk",
        "Sarang Nyamuk / DBD",
        "Kesehatan",
        "Dinas Kesehatan",
        "Jentik nyamuk, genangan sarang nyamuk, permintaan fogging karena kasus DBD.",
        ["jentik", "nyamuk", "fogging", "demam berdarah", "dbd"],
    ),
    (
        "bangunan-liar",
        "Bangunan Tanpa Izin",
        "Tata Ruang",
        "Dinas Cipta Karya dan Tata Ruang",
        "Bangunan tanpa PBG, bangunan di atas saluran atau melanggar garis sempadan.",
        ["bangunan liar", "bangunan tanpa izin", "tanpa pbg", "bangunan di atas saluran"],
    ),
]

# Target days for the agency to act on a report (shown as Open311 `expected_datetime` and told
# to the citizen when they ask "kapan dibenerin?"). Urgent hazards first; a city sets its own.
EXPECTED_DAYS = {
    "pohon-tumbang": 1,
    "banjir": 2,
    "sampah": 2,
    "air-bersih": 2,
    "parkir-liar": 3,
    "kebisingan": 3,
    "sarang-nyamuk": 3,
    "lampu-jalan": 5,
    "saluran-tersumbat": 5,
    "pkl": 5,
    "jalan-rusak": 14,
    "fasilitas-umum": 14,
    "pungli": 14,
    "bangunan-liar": 30,
}

STATUS_NOTES = {
    "koordinasi": "Laporan diverifikasi dan dikoordinasikan dengan perangkat daerah terkait.",
    "disposisi": "Laporan didisposisikan ke unit pelaksana di wilayah.",
    "proses": "Petugas sedang menangani di lokasi.",
    "selesai": "Penanganan selesai. Mohon konfirmasi apakah masalah sudah beres.",
    "ditolak": "Bukan kewenangan pemerintah daerah (sengketa antarwarga).",
    "duplikat": "Sama dengan laporan lain di lokasi yang sama; silakan pantau laporan utama.",
    "dibatalkan": "Dibatalkan atas permintaan pelapor.",
}

SLOT_DAYS = 14  # HomeCare slots are opened this many days ahead

PERMIT_NOTES = {
    "diajukan": "Permohonan diterima melalui layanan daring.",
    "verifikasi": "Berkas sedang diverifikasi petugas.",
    "perbaikan": "Berkas belum lengkap: mohon unggah ulang dokumen yang diminta.",
    "survei": "Dijadwalkan survei lapangan oleh tim teknis.",
    "pembayaran": "Silakan bayar retribusi sesuai SKRD yang dikirim.",
    "diproses": "Permohonan diproses untuk penandatanganan.",
    "terbit": "Izin telah terbit dan dapat diunduh.",
    "ditolak": "Permohonan ditolak: persyaratan tidak terpenuhi.",
}
