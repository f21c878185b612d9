"""Piccolo configuration: the engine from OPOP_DATABASE_URL and every domain's app (PICCOLO_CONF points here)."""

from piccolo.conf.apps import AppRegistry

from opop_events.db import get_engine

DB = get_engine()

APP_REGISTRY = AppRegistry(
    apps=[
        "opop_events.catalog.piccolo_app",
        "opop_events.accounts.piccolo_app",
        "opop_events.events.piccolo_app",
        "opop_events.deals.piccolo_app",
        "opop_events.matching.piccolo_app",
        "opop_events.notifications.piccolo_app",
    ]
)
