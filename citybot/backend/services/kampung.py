"""Smart Kampung catalogue search: words, category, village and price range, ranked and paged.

Ranking is portable SQL (weighted LIKE matches per query word) so it behaves the same on
SQLite and PostgreSQL; the catalogue is small (villages' products), so no full-text index.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Float, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import QueryableAttribute, Session

from citybot.backend.models import Product, Seller, Village

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
WEIGHTS = {"name": 3.0, "category": 2.0, "village": 1.5, "description": 1.0}


def query_words(q: str | None) -> list[str]:
    if not q:
        return []
    words = [w for w in _WORD.findall(q.lower()) if w not in _STOPWORDS and len(w) > 1]
    return list(dict.fromkeys(words))[:8]


def _like(column: ColumnElement[str] | QueryableAttribute[str], word: str) -> ColumnElement[bool]:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


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
    words = query_words(q)
    filters: list[ColumnElement[bool]] = []
    if category:
        filters.append(func.lower(Product.category) == category.strip().lower())
    if village:
        filters.append(_like(Village.desa, village.strip().lower()))
    if min_price is not None:
        filters.append(Product.price >= min_price)
    if max_price is not None:
        filters.append(Product.price <= max_price)

    score: ColumnElement[float] = cast(literal(0.0), Float)
    for word in words:
        for column, weight in (
            (Product.name, WEIGHTS["name"]),
            (Product.category, WEIGHTS["category"]),
            (Village.desa, WEIGHTS["village"]),
            (Product.description, WEIGHTS["description"]),
        ):
            score = score + case((_like(column, word), weight), else_=0.0)
    if words:
        # Every product must match at least one word somewhere.
        filters.append(
            or_(
                *[
                    or_(
                        _like(Product.name, w),
                        _like(Product.category, w),
                        _like(Village.desa, w),
                        _like(Product.description, w),
                        _like(Seller.name, w),
                    )
                    for w in words
                ]
            )
        )
    base = (
        select(Product.id, score.label("score"))
        .join(Seller, Product.seller_id == Seller.id)
        .join(Village, Seller.village_id == Village.id)
        .where(and_(*filters) if filters else literal(True))
    )
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    ranked = session.execute(
        base.order_by(score.desc(), Product.price, Product.id).offset((page - 1) * page_size).limit(page_size)
    ).all()
    if not ranked:
        return [], int(total)
    products = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_([r[0] for r in ranked])))}
    return [(products[r[0]], float(r[1])) for r in ranked], int(total)
