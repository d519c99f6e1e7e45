"""Smart Kampung catalogue search: words, category, village and price range, ranked and paged.

Ranking is portable SQL (weighted LIKE matches per query word) so it behaves the same on
SQLite and PostgreSQL; the catalogue is small (villages' products), so no full-text index.
"""

from __future__ import annotations

import re

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from citybot.backend.models import Product

_WORD = re.compile(r"[0-9a-zà-ÿ]+")
_STOPWORDS = frozenset(
    {
        "yang",
        "di",
        "dari",
        "dan",
        "atau",
        "untuk",
        "ada",
        "mau",
        "cari",
        "beli",
        "jual",
        "saya",
        "ingin",
        "produk",
        "desa",
        "harga",
        "murah",
        "dong",
        "ya",
        "kak",
        "apa",
        "ini",
        "itu",
        "the",
    }
)
WEIGHTS = {"name": 3.0, "category": 2.0, "village": 1.5, "description": 1.0, "seller": 0.5}


def query_words(q: str | None) -> list[str]:
    if not q:
        return []
    words = [w for w in _WORD.findall(q.lower()) if w not in _STOPWORDS and len(w) > 1]
    return list(dict.fromkeys(words))[:8]


def _pattern(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_RANKED_COLUMNS = (
    ("lower(p.name)", WEIGHTS["name"]),
    ("lower(p.category)", WEIGHTS["category"]),
    ("lower(v.desa)", WEIGHTS["village"]),
    ("lower(p.description)", WEIGHTS["description"]),
    ("lower(s.name)", WEIGHTS["seller"]),
)


def search(
    session: Session,
    *,
    q: str | None,
    category: str | None,
    village: str | None,
    min_price: int | None,
    max_price: int | None,
    page: int,
    page_size: int,
) -> tuple[list[tuple[Product, float]], int]:
    """Rank by weighted word matches, then price. The SQL is a fixed template with bound
    parameters only (built as text because composing ~40 LIKE expressions through the SQL
    expression language cost more CPU than the query itself)."""
    words = query_words(q)
    params: dict[str, object] = {"limit": page_size, "offset": (page - 1) * page_size}
    where = ["1 = 1"]
    if category:
        where.append("lower(p.category) = :category")
        params["category"] = category.strip().lower()
    if village:
        where.append("lower(v.desa) LIKE :village ESCAPE '\\'")
        params["village"] = _pattern(village.strip().lower())
    if min_price is not None:
        where.append("p.price >= :min_price")
        params["min_price"] = min_price
    if max_price is not None:
        where.append("p.price <= :max_price")
        params["max_price"] = max_price
    terms = []
    for i, word in enumerate(words):
        params[f"w{i}"] = _pattern(word)
        for column, weight in _RANKED_COLUMNS:
            terms.append(f"CASE WHEN {column} LIKE :w{i} ESCAPE '\\' THEN {weight} ELSE 0 END")
    score = " + ".join(terms) if terms else "0"
    # Only constant SQL fragments and placeholder names are interpolated; every value is bound.
    sql = text(
        "SELECT id, score, count(*) OVER () AS total FROM ("  # noqa: S608
        f" SELECT p.id AS id, p.price AS price, ({score}) AS score"
        " FROM products p JOIN sellers s ON p.seller_id = s.id JOIN villages v ON s.village_id = v.id"
        f" WHERE {' AND '.join(where)}"
        f") ranked {'WHERE score > 0' if words else ''}"
        " ORDER BY score DESC, price, id LIMIT :limit OFFSET :offset"
    )
    ranked = session.execute(sql, params).all()
    if not ranked:
        if page == 1:
            return [], 0
        # Past the last page the window saw no rows; read the total from the first row instead.
        first = session.execute(sql, {**params, "limit": 1, "offset": 0}).first()
        return [], int(first[2]) if first else 0
    total = ranked[0][2]
    products = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_([r[0] for r in ranked])))}
    return [(products[r[0]], float(r[1])) for r in ranked], int(total)
