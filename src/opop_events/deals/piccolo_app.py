"""Piccolo app of the deal ledger."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="deals",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    # the idempotency record's class lives with its one owner; its migrations stay in this app
    table_classes=table_finder(
        modules=["opop_events.deals.tables", "opop_events.idempotency.tables"], exclude_imported=True
    ),
    migration_dependencies=[
        "opop_events.catalog.piccolo_app",
        "opop_events.accounts.piccolo_app",
        "opop_events.events.piccolo_app",
    ],
    commands=[],
)
