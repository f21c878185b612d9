"""Once-only writes: one record per (who asked, key), one mechanism for the API and the pages.

- `tables` — the `idempotency_record` table (registered with the deals Piccolo app, where its migrations live);
- `store` — look up and store a record, `scope_hash`, and `create_once` (the pages' one-time form key);
- `middleware` — the API's `Idempotency-Key` door, which looks up and stores through `store` as well.

Callers import from the submodule they need; this package imports nothing, so loading the table for Piccolo
does not load the web stack.
"""
