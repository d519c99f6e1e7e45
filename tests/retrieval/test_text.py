"""The Indonesian analyser: slang, phrases, stemming, stop words, and query repair."""

from __future__ import annotations

from citybot.retrieval.text import Analyzer, Vocabulary, load_lexicon


def analyzer() -> Analyzer:
    return Analyzer(load_lexicon())


def test_slang_and_stemming_meet_the_formal_text() -> None:
    a = analyzer()
    assert set(a.terms("syarat bikin PBG apa aja?")) == {"syarat", "pbg"}
    assert set(a.terms("Persyaratan pembuatan Persetujuan Bangunan Gedung")) >= {"syarat", "pbg"}
    assert "kartu_keluarga" in a.terms("KK saya hilang")
    assert "kartu_keluarga" in a.terms("Kartu Keluarga")


def test_phrases_join_split_brand_names() -> None:
    a = analyzer()
    assert "jaklingko" in a.terms("kartu jak lingko")
    assert "transjakarta" in a.terms("naik tj")
    assert "dottorota" in a.terms("Dottoro'ta")


def test_reduplication_shorthand() -> None:
    assert analyzer().terms("ciri2 stroke") == analyzer().terms("ciri stroke")


def test_query_repairs_colloquial_affixes_and_typos() -> None:
    a = analyzer()
    docs = ["Imunisasi dasar lengkap untuk bayi", "Cara mengurus surat pindah", "Mencari dokter"]
    surface: dict[str, str] = {}
    df: dict[str, int] = {}
    for d in docs:
        for tok, term in a.pairs(d):
            surface.setdefault(tok, term)
            df[term] = df.get(term, 0) + 1
    vocab = Vocabulary(df, surface)
    weights, known = a.query_terms("imunsasi", vocab)
    assert "imunisasi" in weights and known == 1
    weights, _ = a.query_terms("ngurusin pindahan", vocab)
    assert "urus" in weights and "pindah" in weights


def test_synonyms_are_added_at_lower_weight() -> None:
    a = analyzer()
    vocab = Vocabulary({"biaya": 3, "tarif": 2}, {"biaya": "biaya", "tarif": "tarif"})
    weights, _ = a.query_terms("ongkosnya berapa", vocab)
    assert weights["biaya"] == 1.0
    assert 0 < weights["tarif"] < 1.0
