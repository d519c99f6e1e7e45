"""The conversation benchmark's driver and scripts (bench/conversation_driver.py, conversations.yml)
against a fake assistant made of the real response texts, no stack needed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bench.conversation_driver import drive
from bench.conversation_goals import Aside, Conversation, m_answered, m_emergency, m_ticket
from bench.conversation_replies import KINDS, Move, T
from bench.conversation_scripts import CONVERSATIONS
from bench.conversations import chains, totals
from tests.unit.conversations_support import Replies, domain_responses, sent

# --- the driver against a fake assistant made of real response texts -------------------------


def fake(
    responses: dict[str, Any], script: Callable[[int, Move], list[str]]
) -> tuple[Callable[[Move], Replies], list[Move]]:
    """An assistant that answers turn n (1-based) with the given response keys; records the moves."""
    moves: list[Move] = []

    def send(move: Move) -> Replies:
        moves.append(move)
        return [r for key in script(len(moves), move) for r in sent(responses, key)]

    return send, moves


LETTER = Conversation(
    id="t-letter",
    persona="formal letter",
    goal="report",
    opening=T("Dengan hormat, ... lengkap"),
    minimum=2,
    reason="all given",
    milestones=(m_ticket(),),
    flows=frozenset({"pengaduan"}),
    told=frozenset({"kategori", "lokasi", "kelurahan", "deskripsi", "foto", "identitas"}),
    facts={"kategori": T("Sampah menumpuk."), "ringkasan": T("Sudah benar, kirim."), "foto": T("Tidak ada foto.")},
)


@pytest.fixture(scope="module")
def responses() -> dict[str, list[dict[str, Any]]]:
    return domain_responses()


def test_a_competent_assistant_completes_in_the_minimum_without_friction(responses: dict[str, Any]) -> None:
    send, moves = fake(
        responses, lambda n, m: ["utter_pengaduan_ringkasan"] if n == 1 else ["utter_pengaduan_terkirim"]
    )
    chain: dict[str, Any] = {}
    result = drive(LETTER, send, chain)
    assert result.replies_ok and result.used == 2 and result.ratio == 1.0
    assert result.friction == ""
    assert [m.text for m in moves] == ["Dengan hormat, ... lengkap", "Sudah benar, kirim."]
    assert chain["tickets"] == ["JKL-2026-000042"]


def test_asking_again_for_what_was_said_is_the_first_friction(responses: dict[str, Any]) -> None:
    replies = {
        1: ["utter_pengaduan_mulai", "utter_ask_pengaduan_kategori"],
        2: ["utter_ask_pengaduan_foto"],
        3: ["utter_pengaduan_ringkasan"],
    }
    send, moves = fake(responses, lambda n, m: replies.get(n, ["utter_pengaduan_terkirim"]))
    result = drive(LETTER, send)
    assert result.replies_ok and result.used == 4 and result.ratio == 2.0
    assert result.friction == "t1: asked again for kategori"
    assert [t.note for t in result.turns][1] == "asked again for foto"
    assert moves[1].text == "Sampah menumpuk." and moves[2].text == "Tidak ada foto."


def test_a_button_presser_presses_and_a_typist_types(responses: dict[str, Any]) -> None:
    conv = Conversation(
        id="t-btn",
        persona="button presser",
        goal="report",
        opening=T("lapor parkir liar"),
        minimum=3,
        reason="-",
        milestones=(m_ticket(),),
        flows=frozenset({"pengaduan"}),
        presses=True,
        press={"identitas": "/pilih_anonim"},
        facts={"foto": T("ga ada"), "identitas": T("anonim")},
    )
    replies = {1: ["utter_ask_pengaduan_foto"], 2: ["utter_ask_pengaduan_identitas"], 3: ["utter_pengaduan_ringkasan"]}
    send, moves = fake(responses, lambda n, m: replies.get(n, ["utter_pengaduan_terkirim"]))
    result = drive(conv, send)
    assert [m.payload for m in moves[1:]] == ["/lewati", "/pilih_anonim", "/kirim_pengaduan"]
    assert result.turns[1].move == "[BTN Lewati]"
    typist = Conversation(**{**conv.__dict__, "presses": False, "facts": {**conv.facts, "ringkasan": T("kirim")}})
    send, moves = fake(responses, lambda n, m: replies.get(n, ["utter_pengaduan_terkirim"]))
    drive(typist, send)
    assert [m.text for m in moves[1:]] == ["ga ada", "anonim", "kirim"]


def test_an_emergency_aside_and_its_missed_milestone(responses: dict[str, Any]) -> None:
    conv = Conversation(
        id="t-fire",
        persona="panicking mother",
        goal="report",
        opening=T("mau lapor pohon tumbang ..."),
        minimum=4,
        reason="-",
        milestones=(m_emergency("113"), m_ticket()),
        flows=frozenset({"pengaduan", "darurat"}),
        asides=(Aside(("foto",), T("TOLONG kebakaran!!"), retry=T("KEBAKARAN nomor damkar")),),
        facts={"foto": T("ga ada"), "ringkasan": T("kirim"), "draf_aman": T("udah aman, lanjutin laporan")},
    )
    good = {
        1: ["utter_ask_pengaduan_foto"],
        2: ["utter_darurat_kebakaran", "utter_darurat_draf_laporan"],
        3: ["utter_ask_pengaduan_foto"],
        4: ["utter_pengaduan_ringkasan"],
    }
    send, moves = fake(responses, lambda n, m: good.get(n, ["utter_pengaduan_terkirim"]))
    result = drive(conv, send)
    assert [m.text for m in moves] == [
        "mau lapor pohon tumbang ...",
        "TOLONG kebakaran!!",
        "udah aman, lanjutin laporan",
        "ga ada",
        "kirim",
    ]
    assert result.reached == ["emergency 113", "ticket"] and result.replies_ok and result.friction == ""
    # An assistant that keeps asking for the photo: the retry is sent, then the emergency is missed.
    bad = {
        1: ["utter_ask_pengaduan_foto"],
        2: ["utter_ask_pengaduan_foto"],
        3: ["utter_ask_pengaduan_foto"],
        4: ["utter_pengaduan_ringkasan"],
    }
    send, moves = fake(responses, lambda n, m: bad.get(n, ["utter_pengaduan_terkirim"]))
    result = drive(conv, send)
    assert moves[2].text == "KEBAKARAN nomor damkar"
    assert result.missed == ["emergency 113"] and not result.completed
    assert result.friction == "t3: emergency 113 not reached"


def test_knowledge_follow_up_for_the_missing_part_then_done(responses: dict[str, Any]) -> None:
    conv = Conversation(
        id="t-ktp",
        persona="elderly",
        goal="ktp",
        opening=T("KTP hilang, bawa apa, bayar?"),
        minimum=1,
        reason="-",
        milestones=(m_answered((("KK",), ("gratis",))),),
        keywords=(("KK",), ("gratis",)),
        follow_ups=(T("bawa apa nak?"), T("bayar atau gratis nak?")),
        flows=frozenset({"layanan"}),
    )
    answers = ["KTP hilang: bawa surat kehilangan dan fotokopi KK.", "Semua layanan KTP-el gratis."]
    asked = sent(responses, "utter_apakah_terjawab")
    moves: list[Move] = []

    def send(move: Move) -> Replies:
        moves.append(move)
        passage = answers[min(len(moves), len(answers)) - 1]
        return [{"text": f"{passage}\n\n📄 Sumber: KTP Elektronik (KTP-el)", "buttons": []}, *asked]

    result = drive(conv, send)
    assert [m.text for m in moves] == ["KTP hilang, bawa apa, bayar?", "bayar atau gratis nak?"]
    assert result.completed and result.used == 2 and result.ratio == 2.0
    # An assistant that never says the cost: the citizen asks again, then gives up.
    answers[1] = answers[0]
    moves.clear()
    result = drive(conv, send)
    assert [m.text for m in moves[1:]] == ["bayar atau gratis nak?"] * 4
    assert result.used == conv.max_turns == 5 and not result.completed


def test_a_looping_assistant_is_given_up_after_max_turns(responses: dict[str, Any]) -> None:
    send, _ = fake(responses, lambda n, m: ["utter_minta_ulang"])
    result = drive(LETTER, send)
    assert result.used == LETTER.max_turns == 8
    assert not result.completed and result.friction == "t1: minta ulang"
    summary = totals([result])
    assert summary["completed"] == 0 and summary["mean_ratio"] == 4.0 and not summary["goal_met"]


def test_the_scripts_themselves() -> None:
    ids = [c.id for c in CONVERSATIONS]
    assert len(ids) == len(set(ids)) >= 14
    personas = {c.persona for c in CONVERSATIONS}
    assert {
        '"min" casual',
        "Betawi",
        "formal letter",
        "typo-heavy",
        "elderly",
        "Javanese",
        "ojol driver",
        "whistle-blower",
        "panicking mother",
        "Makassar dialect",
        "button presser",
    } <= personas
    for conv in CONVERSATIONS:
        assert conv.minimum >= 1 and conv.reason and conv.milestones, conv.id
        assert set(conv.facts) <= KINDS, (conv.id, set(conv.facts) - KINDS)
        assert set(conv.press) <= KINDS and conv.told <= KINDS, conv.id
        assert all(set(a.when) <= KINDS for a in conv.asides), conv.id
        assert len(conv.follow_ups) == len(conv.keywords), conv.id
        if conv.continues:
            assert ids.index(conv.continues) < ids.index(conv.id), conv.id
    # a continued chat is played after the one it continues, on the same sender
    groups = {tuple(c.id for c in g) for g in chains(CONVERSATIONS)}
    assert ("hc-pesan", "hc-batal") in groups and ("min-jalan", "data-hapus") in groups
