"""Piccolo app of matching."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="matching",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["opop_events.matching.tables"], exclude_imported=True),
    migration_dependencies=[
        "opop_events.catalog.piccolo_app",
        "opop_events.accounts.piccolo_app",
        "opop_events.events.piccolo_app",
    ],
    commands=[],
)
