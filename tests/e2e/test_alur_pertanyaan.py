"""Questions that flow: follow-ups read in the previous answer's context, several questions in
one message, small talk and fillers around questions, through the real stack."""

from __future__ import annotations

import uuid

import pytest

from tests.stack import Stack, say, text_of

pytestmark = pytest.mark.e2e


def _client() -> str:
    return f"flow-{uuid.uuid4()}"


def test_a_follow_up_keeps_the_topic(stack: Stack) -> None:
    client = _client()
    text = text_of(say(stack, client, "syarat bikin SKCK apa aja"))
    assert "SKCK" in text, text
    text = text_of(say(stack, client, "brp biayanya gan"))
    assert "Rp30.000" in text and "Sumber: Surat Keterangan Catatan Kepolisian" in text, text


def test_each_question_in_one_message_is_answered(stack: Stack) -> None:
    text = text_of(say(stack, _client(), "syarat bikin SKCK apa aja? terus biayanya berapa?"))
    assert "Persyaratan" in text and "Rp30.000" in text, text
    assert text.count("Apakah ini menjawab") <= 1, text


def test_catalogue_follow_ups_refine_the_search(banyuwangi_stack: Stack) -> None:
    stack = banyuwangi_stack
    client = _client()
    text = text_of(say(stack, client, "cari kopi robusta dari desa dong, maksimal 50rb"))
    assert "Robusta" in text, text
    text = text_of(say(stack, client, "kalo yang arabika ada ga?"))
    assert "Arabika" in text and "jam kerja" not in text, text
    text = text_of(say(stack, client, "yg arabika dibawah 70rb aja"))
    assert "Arabika" in text and "70.000" in text and "Tanya info layanan" not in text, text


def test_small_talk_is_still_small_talk_after_an_answer(stack: Stack) -> None:
    client = _client()
    say(stack, client, "syarat bikin SKCK apa aja")
    text = text_of(say(stack, client, "kamu robot ya?"))
    assert "Persyaratan" not in text and text.strip(), text


def test_the_right_section_answers_despite_chat_fillers(stack: Stack) -> None:
    text = text_of(say(stack, _client(), "oke deh. kalo imunisasi buat bayi umur 2 bulan apa aja ya kak?"))
    assert "Jadwal imunisasi" in text and "terlambat" not in text.split("Sumber")[0].lower(), text


def test_a_javanese_permit_question_is_answered_with_its_second_part(stack: Stack) -> None:
    text = text_of(
        say(stack, _client(), "mas, kulo badhe mbangun omah kaleh lantai, kudu ngurus PBG mboten? pripun carane?")
    )
    assert "Sumber: Persetujuan Bangunan Gedung" in text, text
    assert "di luar layanan" not in text and "Masalah apa" not in text and "belum ada di catatan" not in text, text


def test_an_arrears_question_is_not_a_complaint_and_instalments_are_answered(stack: Stack) -> None:
    text = text_of(
        say(stack, _client(), "iuran bpjs saya telat 5 bulan soalnya lagi nganggur, mau berobat gimana? bisa nyicil ga")
    )
    assert "Masalah apa" not in text and "REHAB" in text, text


def test_someone_at_risk_of_harming_themselves_gets_company_and_a_line_not_cpr(stack: Stack) -> None:
    text = text_of(say(stack, _client(), "teman saya bilang mau bunuh diri malam ini, saya harus gimana"))
    assert "Temani dia" in text and "112" in text and "tekan kuat dan cepat" not in text, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("siapa namamu?", "Saya Asisten Kota"),
        ("kamu bisa bantu apa aja?", "Saya bisa membantu Anda untuk"),
    ],
)
def test_a_question_about_the_assistant_gets_its_own_reply(stack: Stack, text: str, expected: str) -> None:
    reply = text_of(say(stack, _client(), text))
    assert expected in reply and "Sumber:" not in reply, reply


@pytest.mark.parametrize(
    "text",
    [
        "provider internet rumah saya lemot terus, teknisinya janji datang tapi gak pernah muncul",
        "WTS tiket kereta ke Solo tanggal 12, harga nego, PC aja",
    ],
)
def test_a_company_grievance_or_a_ticket_trade_is_politely_refused(stack: Stack, text: str) -> None:
    reply = text_of(say(stack, _client(), text))
    assert "di luar layanan saya" in reply and "Sumber:" not in reply and "Di mana lokasinya" not in reply, reply
