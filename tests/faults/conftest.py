"""Fault tests reuse the ledger's small market (an open event, a registered pesantren with a seller, a buyer)."""

from tests.deals.conftest import Market, market

__all__ = ["Market", "market"]
