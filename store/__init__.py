"""Store stage: one SQLite file researchers query directly. Schema in store/schema.py, documented in README.md."""

from .db import (
    QueryError,
    QueryResult,
    SearchError,
    Store,
    StoreError,
    inspect_database,
    newer_schema,
    open_readonly,
    open_store,
    run_readonly_query,
    utcnow,
)
from .schema import migrations

__all__ = ["QueryError", "QueryResult", "SearchError", "Store", "StoreError", "inspect_database", "newer_schema",
           "open_readonly",
           "open_store", "run_readonly_query", "utcnow", "migrations"]
