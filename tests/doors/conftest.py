"""Tests of the API's doors (issue #13) reuse the ledger's small market (an open event, a registered pesantren
with a seller, a buyer, an admin)."""

from tests.deals.conftest import Market, market

__all__ = ["Market", "market"]
