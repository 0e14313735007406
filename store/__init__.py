"""Store stage: one SQLite file researchers query directly. Schema in store/schema.py, documented in README.md."""

from .db import Store, StoreError, open_store, utcnow
from .schema import migrations

__all__ = ["Store", "StoreError", "open_store", "utcnow", "migrations"]
