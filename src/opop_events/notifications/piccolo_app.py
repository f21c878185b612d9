"""Piccolo app of the notification outbox."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="notifications",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["opop_events.notifications.tables"], exclude_imported=True),
    migration_dependencies=["opop_events.accounts.piccolo_app"],
    commands=[],
)
