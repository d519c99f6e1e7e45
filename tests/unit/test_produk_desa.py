"""Indonesian price phrases, Rupiah formatting, catalogue query reading and wa.me links."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from actions.harga import PriceRange, format_rupiah, parse_price_range
from actions.produk_desa import Search, parse_search, refined, relaxations, wa_link
from citybot.client.models import Product, Seller, Village

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> dict:
    return yaml.safe_load((ROOT / "bot/domain/produk_desa.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("text", "low", "high", "rest"),
    [
        ("cari batik di bawah 200 ribu", None, 200_000, "cari batik"),
        ("kopi maksimal 50rb", None, 50_000, "kopi"),
        ("batik antara 100 sampai 200 ribu", 100_000, 200_000, "batik"),
        ("kue antara 10rb-20rb", 10_000, 20_000, "kue"),
        ("kerajinan 50.000 - 100.000", 50_000, 100_000, "kerajinan"),
        ("madu 1,5 juta", None, 1_500_000, "madu"),
        ("batik maks 1.5jt", None, 1_500_000, "batik"),
        ("tari di atas 1 juta", 1_000_000, None, "tari"),
        ("kopi minimal 100 ribu", 100_000, None, "kopi"),
        ("budget 75k kopi", None, 75_000, "kopi"),
        ("kopi harga Rp 35.000", None, 35_000, "kopi"),
        ("jeep di bawah setengah juta", None, 500_000, "jeep"),
        ("batik dibawah 200", None, 200_000, "batik"),
        ("antara 200 ribu sampai 100 ribu", 100_000, 200_000, ""),
    ],
)
def test_price_phrases(text: str, low: int | None, high: int | None, rest: str) -> None:
    found, remaining = parse_price_range(text)
    assert found == PriceRange(low, high)
    assert remaining == rest


@pytest.mark.parametrize("text", ["gula aren 2 kg", "ada kopi robusta dari desa di banyuwangi?", "produk desa Kemiren"])
def test_no_price_means_no_bound(text: str) -> None:
    found, remaining = parse_price_range(text)
    assert found.empty and remaining == text


@pytest.mark.parametrize(
    ("amount", "text"), [(150_000, "Rp 150.000"), (1_500_000, "Rp 1.500.000"), (500, "Rp 500"), (0, "Rp 0")]
)
def test_rupiah_is_written_the_indonesian_way(amount: int, text: str) -> None:
    assert format_rupiah(amount) == text


def test_reading_the_issue_examples() -> None:
    assert parse_search("ada kopi robusta dari desa di banyuwangi?") == Search(q="kopi robusta", category="kopi")
    assert parse_search("cari batik di bawah 200 ribu") == Search(q="batik", category="batik", max_price=200_000)
    assert parse_search("produk desa Kemiren apa aja") == Search(village="kemiren")
    assert parse_search("oleh-oleh dari desa Kelir maksimal 50rb") == Search(
        q="oleh-oleh", category="oleh-oleh", village="kelir", max_price=50_000
    )


def test_empty_results_relax_price_then_village_then_words() -> None:
    search = Search(q="batik", category="batik", village="kemiren", max_price=100_000)
    steps = relaxations(search)
    assert [key for _, key in steps] == [
        "utter_produk_tanpa_batas_harga",
        "utter_produk_tanpa_desa",
        "utter_produk_tanpa_kata",
    ]
    assert steps[0][0] == Search(q="batik", category="batik", village="kemiren")
    assert steps[1][0] == Search(q="batik", category="batik")
    assert steps[2][0] == Search(category="batik")
    assert relaxations(Search(q="kopi")) == []


def test_wa_link_is_e164_digits_with_an_encoded_indonesian_message(domain: dict) -> None:
    product = Product(
        id=1,
        name="Kopi Robusta Osing Bubuk",
        category="kopi",
        price=35_000,
        unit="250 gram",
        seller=Seller(id=1, name="Kopi Jaran Goyang Bu Sumiati", phone="+6281336412570", wa_link=""),
        village=Village(id=1, desa="Kemiren", kecamatan="Glagah", kabupaten="Banyuwangi"),
    )
    link = wa_link(domain, product)
    parsed = urlparse(link)
    assert (parsed.scheme, parsed.netloc, parsed.path) == ("https", "wa.me", "/6281336412570")
    assert " " not in link and "+" not in parsed.path
    message = parse_qs(parsed.query)["text"][0]
    assert "Kopi Robusta Osing Bubuk" in message and "Rp 35.000" in message and message.startswith("Halo")


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("batik maksimal seratus lima puluh ribu", None, 150_000),
        ("kopi di bawah lima puluh ribu", None, 50_000),
        ("antara dua puluh lima ribu sampai seratus ribu", 25_000, 100_000),
        ("keripik dua belas ribu", None, 12_000),
        ("kerajinan desa lima", None, None),
    ],
)
def test_prices_written_in_words(text: str, low: int | None, high: int | None) -> None:
    found, _ = parse_price_range(text)
    assert (found.min_price, found.max_price) == (low, high)


def test_a_price_alone_refines_the_last_search() -> None:
    previous = {"q": "kopi arabika", "category": None, "village": None, "min_price": None, "max_price": None}
    found = refined(parse_search("yang di bawah 70 ribu aja kak"), previous)
    assert (found.q, found.max_price) == ("kopi arabika", 70_000)
    assert refined(parse_search("madu hutan"), previous).q == "madu hutan"
