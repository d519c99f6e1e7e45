"""Smart Kampung catalogue: villages, sellers (UMKM) and their products."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citybot.backend.models.base import Base


class Village(Base):
    __tablename__ = "villages"
    __table_args__ = (UniqueConstraint("desa", "kecamatan"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    desa: Mapped[str] = mapped_column(String(80))
    kecamatan: Mapped[str] = mapped_column(String(80))
    kabupaten: Mapped[str] = mapped_column(String(80))


class Seller(Base):
    __tablename__ = "sellers"
    __table_args__ = (UniqueConstraint("name", "village_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(String(200), default="")
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)

    village: Mapped[Village] = relationship(lazy="joined")


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("seller_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    category: Mapped[str] = mapped_column(String(60), index=True)
    price: Mapped[int] = mapped_column(Integer, index=True)
    unit: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    photo_url: Mapped[str | None] = mapped_column(String(500))

    seller: Mapped[Seller] = relationship(lazy="joined")
