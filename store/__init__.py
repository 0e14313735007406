"""Store stage: one SQLite file researchers query directly. Schema in store/schema.py, documented in README.md."""

from .db import SearchError, Store, StoreError, open_readonly, open_store, utcnow
from .schema import migrations

__all__ = ["SearchError", "Store", "StoreError", "open_readonly", "open_store", "utcnow", "migrations"]
