"""The shared declarative base, metadata and column types for every context's models."""

from __future__ import annotations

from advanced_alchemy.base import UUIDv7AuditBase, orm_registry
from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import JSON
from sqlalchemy.dialects.postgresql import JSONB

# advanced-alchemy 1.12's JsonB calls a helper that SQLAlchemy 2.1 removed (on its Oracle variant), so the
# portable JSON type is built here from SQLAlchemy's own types: JSONB on PostgreSQL, JSON text on SQLite.
JsonB = JSON().with_variant(JSONB(), "postgresql")

metadata = orm_registry.metadata

__all__ = ["GUID", "DateTimeUTC", "JsonB", "UUIDv7AuditBase", "metadata", "orm_registry"]
