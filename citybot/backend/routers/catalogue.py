"""Permits (JakEvo) and the Smart Kampung catalogue: read-only look-ups."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from citybot.backend import render
from citybot.backend.deps import ReadSession, require_api_key
from citybot.backend.errors import not_found
from citybot.backend.models import Product, Village
from citybot.backend.schemas import ErrorOut
from citybot.backend.services import kampung, permits
from citybot.backend.validation import clean_text
from citybot.client import models as api

router = APIRouter(
    prefix="/api/v1",
    dependencies=[Depends(require_api_key)],
    responses={code: {"model": ErrorOut} for code in (401, 404, 422)},
)
MAX_PRICE = 1_000_000_000


@router.get("/permits/{application_number}", response_model=api.Permit, tags=["Perizinan"])
def permit_status(session: ReadSession, application_number: str) -> api.Permit:
    number = clean_text(application_number, "application_number", 40)
    if number is None:
        raise not_found("permit_not_found", "Permohonan tidak ditemukan.")
    return render.permit(permits.by_number(session, number))


@router.get("/kampung/products", response_model=api.ProductPage, tags=["Smart Kampung"])
def search_products(
    session: ReadSession,
    q: Annotated[str | None, Query(max_length=200)] = None,
    category: Annotated[str | None, Query(max_length=60)] = None,
    village: Annotated[str | None, Query(max_length=80)] = None,
    min_price: Annotated[int | None, Query(ge=0, le=MAX_PRICE)] = None,
    max_price: Annotated[int | None, Query(ge=0, le=MAX_PRICE)] = None,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=50)] = 10,
) -> api.ProductPage:
    rows, total = kampung.search(
        session,
        q=clean_text(q, "q", 200),
        category=clean_text(category, "category", 60),
        village=clean_text(village, "village", 80),
        min_price=min_price,
        max_price=max_price,
        page=page,
        page_size=page_size,
    )
    return api.ProductPage(
        items=[render.product(p, score) for p, score in rows], total=total, page=page, page_size=page_size
    )


@router.get("/kampung/categories", response_model=list[str], tags=["Smart Kampung"])
def categories(session: ReadSession) -> list[str]:
    return list(session.scalars(select(Product.category).distinct().order_by(Product.category)))


@router.get("/kampung/villages", response_model=list[api.Village], tags=["Smart Kampung"])
def villages(session: ReadSession) -> list[api.Village]:
    rows = session.scalars(select(Village).order_by(Village.kabupaten, Village.desa))
    return [api.Village(id=v.id, desa=v.desa, kecamatan=v.kecamatan, kabupaten=v.kabupaten) for v in rows]
