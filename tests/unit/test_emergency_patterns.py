"""Typed emergencies: danger to people now is caught and typed; everyday reports are not alarms."""

from __future__ import annotations

import pytest

from citybot.nlu.emergency_patterns import (
    CRIME,
    CRISIS,
    DISASTER,
    FIRE,
    GENERAL,
    MEDICAL,
    MISSING,
    kind_of,
    plausible_emergency,
    precise_kind,
)

EMERGENCIES = [
    ("banjir di gang kami udah sedada, ada lansia kejebak di lantai atas", DISASTER),
    ("air sudah setinggi leher orang dewasa di rt 05", DISASTER),
    ("tolong butuh evakuasi, ada bayi dan nenek di rumah", DISASTER),
    ("tanggul kali sunter jebol air deras masuk kampung", DISASTER),
    ("longsor menimpa dua rumah warga di lereng", DISASTER),
    ("gempa barusan, rumah tetangga roboh ada yang tertimpa", DISASTER),
    ("rumah kami tenggelam sampai atap", DISASTER),
    ("kebakaran di pasar, apinya makin besar", FIRE),
    ("rumah sebelah terbakar, asapnya hitam", FIRE),
    ("tabung gas bocor terus meledak di warung", FIRE),
    ("tolong saya barusan dibegal di flyover", CRIME),
    ("ada orang mengacungkan golok ke warga", CRIME),
    ("tawuran mau pecah di depan sekolah", CRIME),
    ("anak saya hanyut terbawa arus kali", MISSING),
    ("ada orang tenggelam di sungai belum ketemu", MISSING),
    ("mobil nyemplung ke kali, masih ada orangnya", MISSING),
    ("bocah tetangga hilang sejak siang belum pulang", MISSING),
    ("bapak muntah darah, butuh ambulans", MEDICAL),
    ("ibu pingsan tidak sadarkan diri", MEDICAL),
    ("adik saya kesetrum pas colokin kipas", MEDICAL),
    ("ada bapak2 tergeletak ga bergerak di trotoar", MEDICAL),
    ("pohon besar tumbang menimpa dua motor yang lagi lewat", DISASTER),
    ("tiang listrik roboh nimpa rumah warga", DISASTER),
    ("bau gas menyengat banget dari rumah sebelah, pintunya dikunci", FIRE),
    ("kabel di tiang depan rumah keluar api", FIRE),
    ("temen aku bilang mau bunuh diri malam ini", CRISIS),
    ("ada orang mau loncat dari jembatan penyeberangan", CRISIS),
]
NOT_ALARMS = [
    "jalan bolong di depan rumah, bisa bikin celaka pengendara",
    "daerah sini rawan begal, tolong lampu jalannya dinyalakan",
    "banjir semata kaki di depan kantor lurah",
    "air selutut dari subuh belum surut, pompa mati",
    "Mengapa belum ada tindak lanjut? Baunya makin parah.",
    "tiap malam ada yang bakar sampah, asapnya masuk rumah",
    "terjebak macet 2 jam gara2 galian kabel",
    "KTP bapak saya hilang waktu di terminal, ngurusnya gimana",
    "sering tawuran di sini, mohon dijaga patroli",
    "sering kecelakaan di perempatan ini, minta lampu merah",
    "pohon di depan sekolah miring, takut tumbang kalau hujan angin",
    "kabel listrik menjuntai rendah di gang kami",
    "bau got di depan rumah menyengat banget",
    "pohon tumbang menutup jalan, tidak ada korban",
    "wkwkwk",
    "saya butuh bantuan",
    "butuh bantuan nih, bisa apa aja",
    "ban motor saya meletus di jalan berlubang",
    "semoga gempa kemarin tidak terulang lagi",
    "gempa tadi malam kerasa sampai lantai 3 kantor",
    "pohon tumbang menimpa mobil yang parkir di bahu jalan",
    "turap saluran longsor sedikit, mohon diperbaiki sebelum musim hujan",
    "pagar taman roboh kena angin, tidak ada korban",
    "riwayat vaksin anak saya hilang dari aplikasi",
    "sering terjadi tawuran pelajar di sini, mohon patroli",
    "anjing liar berkeliaran di taman, warga takut digigit",
    "banjir di depan rumah semata kaki, pompa air belum dinyalakan",
]


@pytest.mark.parametrize(("text", "kind"), EMERGENCIES)
def test_danger_to_people_is_an_emergency_of_its_kind(text: str, kind: str) -> None:
    assert precise_kind(text) == kind


@pytest.mark.parametrize("text", NOT_ALARMS)
def test_everyday_reports_and_questions_raise_no_alarm(text: str) -> None:
    assert precise_kind(text) is None


def test_the_kind_of_a_classified_emergency_comes_from_looser_hints() -> None:
    assert kind_of("kebakaran!! nomor damkar berapa") == FIRE
    assert kind_of("banjir tolong kami") == DISASTER
    assert kind_of("ada copet di bus") == CRIME
    assert kind_of("darurat!") == GENERAL


POSSIBLE_DANGERS = [
    "kabel listrik di gang semrawut, rawan kebakaran",
    "hidran kebakaran di depan pasar bocor terus",
    "tembok sekolah sudah miring, hampir roboh",
    "tiap malam ada suara ledakan petasan di lapangan",
    "tanggul kali retak, takut jebol kalau hujan deras",
    "sisa puing bekas kebakaran pasar belum dibersihkan",
]


@pytest.mark.parametrize("text", POSSIBLE_DANGERS)
def test_a_danger_that_might_happen_is_a_report(text: str) -> None:
    assert precise_kind(text) is None


def test_a_danger_happening_now_still_counts_next_to_a_possible_one() -> None:
    assert precise_kind("dulu sudah rawan kebakaran, sekarang kebakaran beneran di gang 3") == FIRE
    assert precise_kind("Yth. Dinas Pemadam Kebakaran, saat ini terjadi kebakaran di ruko") == FIRE


@pytest.mark.parametrize(
    "text",
    [
        "jalan berlubang sangat berbahaya, tolong segera diperbaiki sebelum ada korban",
        "lampu jalan mati, bahaya buat pengendara malam hari",
        "banjir lagi di perempatan, tolong segera dipompa",
    ],
)
def test_danger_words_in_a_report_do_not_make_a_classifier_alarm_plausible(text: str) -> None:
    assert not plausible_emergency(text)


@pytest.mark.parametrize(
    "text",
    [
        "banjir di komplek kami sudah sedada, tolong",
        "tolong kami di sini",
        "tolong ada yang pingsan",
        "gawat, orang-orang di sini panik",
        "tolong kami bahaya di sini",
    ],
)
def test_calls_for_help_keep_a_classifier_alarm_plausible(text: str) -> None:
    assert plausible_emergency(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("api keluar dari jendela ruko sebelah", FIRE),
        ("banjir naik terus, kakek saya tidak bisa keluar rumah", DISASTER),
        ("kirim perahu ke gang 7 sekarang", DISASTER),
        ("bapak saya di rumah yang terendam dari pagi tidak bisa dihubungi", MISSING),
        ("teman saya terpeleset ke kali dan belum muncul", MISSING),
        ("truk masuk jurang, sopirnya terjepit", MISSING),
        ("mohon dikirim ambulans ke rumah, nenek pingsan", MEDICAL),
        ("pasien sesak dan bibirnya biru", MEDICAL),
    ],
)
def test_more_ways_of_saying_danger_now(text: str, kind: str) -> None:
    assert precise_kind(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "nomor pengaduan dinas tidak bisa dihubungi dari kemarin",
        "perahu wisata di danau kota catnya sudah mengelupas",
        "api-api lampu taman banyak yang mati",
        "asap knalpot bus bikin sesak kalau nunggu di halte",
    ],
)
def test_these_words_alone_are_no_emergency(text: str) -> None:
    assert precise_kind(text) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("asap hitam tebal keluar dari gudang sebelah pasar", FIRE),
        ("ruko di ujung gang mengeluarkan asap hitam dari tadi", FIRE),
        ("puting beliung barusan lewat, atap rumah beterbangan, dua warga terluka", DISASTER),
        ("banjir semalam, dua orang tetangga meninggal", DISASTER),
        ("ada korban jiwa akibat longsor di dusun atas", DISASTER),
        ("warga menemukan mayat di saluran dekat pasar", CRIME),
        ("barusan ada penembakan di depan minimarket", CRIME),
        ("toko-toko di jalan raya dijarah massa", CRIME),
        ("dua pemuda berkelahi pakai pisau di depan warung", CRIME),
        ("nelayan terseret ombak, belum kembali ke darat", MISSING),
        ("keluarga saya di lokasi banjir hilang kontak sejak pagi", MISSING),
    ],
)
def test_smoke_storms_deaths_bodies_shootings_and_lost_contact(text: str, kind: str) -> None:
    assert precise_kind(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "asap pembakaran sampah tebal dari lahan kosong tiap sore",
        "sering ada yang berkelahi di taman malam-malam, mohon patroli",
        "semoga tidak ada korban jiwa akibat banjir tahun ini",
        "angin kencang bikin baliho di perempatan miring",
        "motor saya kebawa banjir pas diparkir di depan gang",
        "dulu pernah ada penembakan di sini? mau tanya aja",
        "sinyal di rumah hilang kontak terus, operatornya diam saja",
    ],
)
def test_look_alikes_of_those_dangers_raise_no_alarm(text: str) -> None:
    assert precise_kind(text) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("kompor gas meledak di warung, pemiliknya luka", FIRE),
        ("ada suami mukulin istrinya di rumah sebelah dari tadi", CRIME),
        ("dua bocah berenang di kali terus hilang ditelan arus", MISSING),
        ("pendaki rombongan kami terpisah sejak sore dan belum bisa dihubungi", MISSING),
        ("air terus naik, ibu saya lumpuh dan kami tidak bisa membawanya keluar", DISASTER),
        ("tangan adik saya kena luka bakar dari minyak panas", MEDICAL),
    ],
)
def test_explosions_beatings_currents_lost_hikers_and_burns(text: str, kind: str) -> None:
    assert precise_kind(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "takut kompor gas meledak kalau selangnya dibiarkan bocor",
        "nelayan di pesisir belum dapat bantuan solar bulan ini",
        "saya mau tanya, pendaki harus daftar di mana",
        "sinyal di laut hilang terus, operatornya gak peduli",
    ],
)
def test_look_alikes_of_explosions_and_lost_persons(text: str) -> None:
    assert precise_kind(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "kabel listrik menjuntai sangat membahayakan warga yang lewat",
        "jalan di kampung kami tenggelam tiap hujan deras",
        "bau sampah di TPS sampai bikin pingsan",
        "selamatkan taman kota dari pedagang liar",
        "sering terjadi tabrakan di sini, sudah banyak korban luka",
        "tebing di pinggir kali longsor, mohon dibuatkan turap",
        "gang kami terisolasi banjir tiap hujan, mohon saluran diperbaiki",
        "ada kecelakaan kemarin karena lubang ini, korbannya luka-luka, tolong segera ditambal",
        "warga sekitar sesak napas karena asap pabrik",
        "kabel PLN terbakar di tiang, sekarang sudah padam, mohon diganti",
    ],
)
def test_recurring_past_or_repair_reports_with_danger_words_raise_no_alarm(text: str) -> None:
    assert precise_kind(text) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("anak saya hilang sejak minggu lalu belum pulang", MISSING),
        ("banjir sedada di gang kami, mohon saluran diperbaiki", DISASTER),
        ("tolong selamatkan kami, air sudah sampai atap", DISASTER),
        ("ODGJ bawa pisau membahayakan warga di pasar", CRIME),
        ("adik saya marah-marah dan merusak perabot, membahayakan keluarga", CRIME),
    ],
)
def test_danger_now_still_counts_next_to_a_repair_request_or_a_date(text: str, kind: str) -> None:
    assert precise_kind(text) == kind


def test_a_repair_report_does_not_keep_a_classifier_alarm() -> None:
    assert not plausible_emergency("ada kecelakaan kemarin karena lubang ini, korbannya luka-luka, tolong ditambal")
    assert not plausible_emergency("tiap hujan asap dari pabrik masuk rumah, tolong ditindaklanjuti")
