"""opop-events: temu bisnis OPOP Jawa Barat — events, meeting schedules, the deal ledger and official reports."""

import os

# Piccolo finds its engine through this module; set before any table is touched.
os.environ.setdefault("PICCOLO_CONF", "opop_events.piccolo_conf")

__version__ = "0.1.0"
