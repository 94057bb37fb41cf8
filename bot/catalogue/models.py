"""Catalogue tables. Loaded from data/content/ by `make content`; read by the actions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import relationship
from sqlalchemy.types import TypeDecorator

from bot.db import Base


class Money(TypeDecorator):
    """A Decimal stored as text, exact on SQLite and PostgreSQL alike."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else str(Decimal(value))

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)


class ProductRow(Base):
    __tablename__ = "catalogue_products"

    id = Column(String(64), primary_key=True)
    position = Column(Integer, nullable=False)
    name = Column(String(200), nullable=False)
    segment = Column(String(3), nullable=False)
    synonyms = Column(JSON, nullable=False)
    short_de = Column(Text, nullable=False)
    short_en = Column(Text, nullable=False)
    description_de = Column(Text, nullable=False)
    description_en = Column(Text, nullable=False)
    features = Column(JSON, nullable=False)  # [{"de": ..., "en": ...}]
    specs = Column(JSON, nullable=False)  # [{"label": {...}, "value": {...}}]
    integrations = Column(JSON, nullable=False)
    hosting_de = Column(Text, nullable=False)
    hosting_en = Column(Text, nullable=False)
    docs_url = Column(String(500), nullable=False)
    video_url = Column(String(500), nullable=False)
    roi = Column(JSON)  # {"unit": {...}, "savings_rate": "0.12", "typical_energy_cost_eur": "1400"}
    review_platforms = Column(JSON)  # [{"name": "Trustpilot", "url": "https://..."}]; None or [] for none

    plans = relationship("PlanRow", cascade="all, delete-orphan", order_by="PlanRow.position")
    vouchers = relationship("VoucherRow", cascade="all, delete-orphan")
    reviews = relationship("ReviewRow", cascade="all, delete-orphan", order_by="ReviewRow.date.desc()")


class PlanRow(Base):
    __tablename__ = "catalogue_plans"

    product_id = Column(String(64), ForeignKey("catalogue_products.id", ondelete="CASCADE"), primary_key=True)
    id = Column(String(64), primary_key=True)
    position = Column(Integer, nullable=False)
    name_de = Column(String(200), nullable=False)
    name_en = Column(String(200), nullable=False)
    price_eur = Column(Money, nullable=False)
    per_unit = Column(Boolean, nullable=False)
    min_units = Column(Integer, nullable=False)
    max_units = Column(Integer)
    one_off_eur = Column(Money, nullable=False)
    one_off_per_unit = Column(Boolean, nullable=False, server_default=sa_false())
    description_de = Column(Text, nullable=False)
    description_en = Column(Text, nullable=False)


class VoucherRow(Base):
    __tablename__ = "catalogue_vouchers"

    product_id = Column(String(64), ForeignKey("catalogue_products.id", ondelete="CASCADE"), primary_key=True)
    code = Column(String(64), primary_key=True)
    value_de = Column(Text, nullable=False)
    value_en = Column(Text, nullable=False)
    valid_from = Column(Date, nullable=False)
    valid_until = Column(Date, nullable=False)
    discount_percent = Column(Money)
    discount_eur = Column(Money)


class ReviewRow(Base):
    __tablename__ = "catalogue_reviews"

    id = Column(String(64), primary_key=True)
    product_id = Column(String(64), ForeignKey("catalogue_products.id", ondelete="CASCADE"), nullable=False)
    rating = Column(Integer, nullable=False)
    language = Column(String(2), nullable=False)
    text = Column(Text, nullable=False)
    author = Column(String(300), nullable=False)
    company_size = Column(String(10))
    date = Column(Date, nullable=False)
    source = Column(String(100), nullable=False)
    response_de = Column(Text)
    response_en = Column(Text)


class CatalogueVersionRow(Base):
    """One row per load that changed something; the newest row's hash says what is loaded."""

    __tablename__ = "catalogue_versions"

    id = Column(Integer, primary_key=True, autoincrement=True)
    content_hash = Column(String(64), nullable=False)
    loaded_at = Column(DateTime(timezone=True), nullable=False)
    products = Column(Integer, nullable=False)
    reviews = Column(Integer, nullable=False)
