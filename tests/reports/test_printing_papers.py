"""The printed grid's paper sizes are named without loading reportlab; they must stay reportlab's own."""

from __future__ import annotations

from reportlab.lib.pagesizes import A3, A4, landscape

from opop_events.reports.exporters import printing


def test_grid_papers_are_reportlab_landscape_a4_and_a3() -> None:
    assert {"a4": landscape(A4), "a3": landscape(A3)} == printing.PAPERS
