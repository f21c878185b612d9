"""ASGI entry point for uvicorn workers: `opop_events.asgi:app`."""

from opop_events.app import create_app

app = create_app()
