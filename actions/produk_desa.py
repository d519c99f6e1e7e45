"""Smart Kampung catalogue: villagers' products by words, category, village and price.

The message is read here (price phrases, "desa X", a known category); the backend ranks the
words. Each result links to the seller on WhatsApp with a prefilled message naming the product.
An empty result is retried without the price bound, then without the village, then with the
category alone, and the reply says which condition was dropped.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import quote

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common.city import city_client
from actions.common.responses import response_text
from actions.common.services import offered_or_explain
from actions.common.tracker import latest_text
from actions.harga import format_rupiah, parse_price_range
from citybot.client import CityClientError, Product, ProductPage
from citybot.settings import get_settings

log = logging.getLogger(__name__)

# Category words as citizens write them -> the catalogue's category names.
CATEGORIES = {
    "kopi": "kopi",
    "batik": "batik",
    "kerajinan": "kerajinan",
    "anyaman": "kerajinan",
    "kue": "kue",
    "jajanan": "kue",
    "kuliner": "kuliner",
    "masakan": "kuliner",
    "makanan": "kuliner",
    "oleh-oleh": "oleh-oleh",
    "oleh oleh": "oleh-oleh",
    "olehan": "oleh-oleh",
    "hasil tani": "hasil tani",
    "hasil bumi": "hasil tani",
    "jasa wisata": "jasa wisata",
    "wisata": "jasa wisata",
    "paket wisata": "jasa wisata",
}
# Words that say nothing about the product (the region itself: every village is in Banyuwangi).
STOPWORDS = frozenset(
    """
ada adakah apa apaan apakah aja saja sih dong deh nih ya yg yang mau ingin pengen pingin cari carikan cariin nyari
mencari beli membeli jual jualan dijual produk produknya barang desa kampung dusun dari di ke untuk buat oleh
harga murah kak min gan sis bang mas mbak tolong bisa punya khas asli lokal lihat liat tampilkan daftar list semua
macam rekomendasi banyuwangi bwi kabupaten kab jawa timur jatim umkm warga the ga gak nggak enak bagus info
katalog toko penjual seller aku saya kami mana yang berapa harganya
kalo kalau klo trus terus trs atau ato gimana gmn yg lagi juga
""".split()
)
_VILLAGE = re.compile(r"\b(?:desa|kampung|dusun)\s+([a-z][a-z'-]{2,})", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9'-]+")


@dataclass(frozen=True)
class Search:
    q: str | None = None
    category: str | None = None
    village: str | None = None
    min_price: int | None = None
    max_price: int | None = None


def refined(search: Search, previous: Any) -> Search:
    """ "yang di bawah 50 ribu aja" after a search: the same search with the new limits."""
    if search.q or search.category or not isinstance(previous, dict):
        return search
    if search.min_price is None and search.max_price is None and not search.village:
        return search

    def text(key: str) -> str | None:
        value = previous.get(key)
        return value if isinstance(value, str) else None

    def number(key: str) -> int | None:
        value = previous.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    base = Search(text("q"), text("category"), text("village"), number("min_price"), number("max_price"))
    return replace(
        base,
        village=search.village or base.village,
        min_price=search.min_price if search.min_price is not None else base.min_price,
        max_price=search.max_price if search.max_price is not None else base.max_price,
    )


def parse_search(text: str) -> Search:
    prices, rest = parse_price_range(text)
    lowered = rest.lower()
    village = None
    for match in _VILLAGE.finditer(lowered):
        if match.group(1) not in STOPWORDS:
            village = match.group(1)
            break
    category = None
    for phrase, name in sorted(CATEGORIES.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{re.escape(phrase)}\b", lowered):
            category = name
            break
    words = [w for w in _WORD.findall(lowered) if w not in STOPWORDS and w != village and len(w) > 1]
    return Search(
        q=" ".join(words) or None,
        category=category,
        village=village,
        min_price=prices.min_price,
        max_price=prices.max_price,
    )


def relaxations(search: Search) -> list[tuple[Search, str]]:
    """Nearby searches to try when nothing matched, with the response key saying what changed."""
    steps: list[tuple[Search, str]] = []
    current = search
    if current.min_price is not None or current.max_price is not None:
        current = replace(current, min_price=None, max_price=None)
        steps.append((current, "utter_produk_tanpa_batas_harga"))
    if current.village:
        current = replace(current, village=None)
        steps.append((current, "utter_produk_tanpa_desa"))
    if current.category and current.q:
        steps.append((replace(current, q=None), "utter_produk_tanpa_kata"))
    return steps


def conditions_text(domain: DomainDict, search: Search) -> str:
    parts = []
    if search.village:
        parts.append(response_text(domain, "utter_syarat_desa", desa=search.village.title()))
    if search.min_price is not None and search.max_price is not None:
        parts.append(
            response_text(
                domain,
                "utter_syarat_harga_antara",
                dari=format_rupiah(search.min_price),
                sampai=format_rupiah(search.max_price),
            )
        )
    elif search.max_price is not None:
        parts.append(response_text(domain, "utter_syarat_harga_maks", harga=format_rupiah(search.max_price)))
    elif search.min_price is not None:
        parts.append(response_text(domain, "utter_syarat_harga_min", harga=format_rupiah(search.min_price)))
    return "".join(parts)


def wa_link(domain: DomainDict, product: Product) -> str:
    digits = re.sub(r"\D", "", product.seller.phone)
    message = response_text(
        domain,
        "utter_produk_pesan_wa",
        penjual=product.seller.name,
        produk=product.name,
        harga=format_rupiah(product.price),
    )
    return f"https://wa.me/{digits}?text={quote(message, safe='')}"


def product_lines(domain: DomainDict, products: list[Product], first_number: int) -> str:
    return "\n".join(
        response_text(
            domain,
            "utter_produk_baris",
            nomor=first_number + i,
            nama=p.name,
            harga=format_rupiah(p.price),
            satuan=p.unit,
            desa=p.village.desa,
            kecamatan=p.village.kecamatan,
            penjual=p.seller.name,
            tautan=wa_link(domain, p),
        )
        for i, p in enumerate(products)
    )


async def run_search(search: Search, page: int, page_size: int) -> ProductPage:
    async with city_client() as city:
        return await city.search_products(
            search.q,
            category=search.category,
            village=search.village,
            min_price=search.min_price,
            max_price=search.max_price,
            page=page,
            page_size=page_size,
        )


def show_page(dispatcher: CollectingDispatcher, domain: DomainDict, found: ProductPage, intro: str) -> None:
    first = (found.page - 1) * found.page_size + 1
    more = first - 1 + len(found.items) < found.total
    dispatcher.utter_message(
        response="utter_produk_hasil",
        pengantar=intro,
        daftar=product_lines(domain, list(found.items), first),
        penutup=response_text(domain, "utter_produk_penutup_lagi" if more else "utter_produk_penutup_habis"),
    )


def page_intro(domain: DomainDict, search: Search, found: ProductPage) -> str:
    first = (found.page - 1) * found.page_size + 1
    if found.total <= len(found.items):  # everything fits on one page: "Menampilkan 1–1" says nothing
        return response_text(
            domain, "utter_produk_pengantar_semua", total=found.total, syarat=conditions_text(domain, search)
        )
    return response_text(
        domain,
        "utter_produk_pengantar",
        total=found.total,
        syarat=conditions_text(domain, search),
        dari=first,
        sampai=first - 1 + len(found.items),
    )


class ActionCariProduk(Action):
    def name(self) -> str:
        return "action_cari_produk"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        unavailable = offered_or_explain(dispatcher, domain, "catalogue")
        if unavailable is not None:
            return unavailable
        text = latest_text(tracker)
        search = parse_search(text) if text and not text.startswith("/") else Search()
        search = refined(search, tracker.get_slot("produk_pencarian"))
        if search == Search():
            dispatcher.utter_message(response="utter_produk_segera")
            return []
        size = get_settings().catalogue_page_size
        try:
            found = await run_search(search, 1, size)
            if found.total:
                show_page(dispatcher, domain, found, page_intro(domain, search, found))
                return [SlotSet("produk_pencarian", asdict(search)), SlotSet("produk_halaman", 1)]
            for relaxed, change_key in relaxations(search):
                found = await run_search(relaxed, 1, size)
                if found.total:
                    intro = response_text(
                        domain,
                        "utter_produk_pengantar_alternatif",
                        syarat_asli=conditions_text(domain, search),
                        perubahan=response_text(domain, change_key),
                        total=found.total,
                    )
                    show_page(dispatcher, domain, found, intro)
                    return [SlotSet("produk_pencarian", asdict(relaxed)), SlotSet("produk_halaman", 1)]
        except CityClientError:
            log.warning("catalogue search failed", exc_info=True)
            dispatcher.utter_message(response="utter_gangguan_sistem")
            return []
        dispatcher.utter_message(response="utter_produk_tidak_ada", kueri=text[:80])
        return [SlotSet("produk_pencarian", None), SlotSet("produk_halaman", None)]


class ActionProdukLagi(Action):
    """ "lagi": the next page of the last search."""

    def name(self) -> str:
        return "action_produk_lagi"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        unavailable = offered_or_explain(dispatcher, domain, "catalogue")
        if unavailable is not None:
            return unavailable
        stored: Any = tracker.get_slot("produk_pencarian")
        if not isinstance(stored, dict):
            dispatcher.utter_message(response="utter_produk_belum_mencari")
            return []
        search = Search(**{k: stored.get(k) for k in Search.__dataclass_fields__})
        page = int(tracker.get_slot("produk_halaman") or 1) + 1
        try:
            found = await run_search(search, page, get_settings().catalogue_page_size)
        except CityClientError:
            log.warning("catalogue search failed", exc_info=True)
            dispatcher.utter_message(response="utter_gangguan_sistem")
            return []
        if not found.items:
            dispatcher.utter_message(response="utter_produk_tidak_ada_lagi")
            return [SlotSet("produk_pencarian", None), SlotSet("produk_halaman", None)]
        show_page(dispatcher, domain, found, page_intro(domain, search, found))
        return [SlotSet("produk_halaman", page)]
