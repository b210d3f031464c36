"""Qt side of the printed schedule: font, pagination with "Page N of M", PDF and printer.

The same :func:`paint_plan` draws the preview, the printer and the PDF, so what a nurse
previews is what prints.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from ivig_desktop import __version__, resources
from ivig_desktop.engine.plan import Plan
from ivig_desktop.report.html import FONT_FAMILY, render_html
from ivig_desktop.store.files import write_atomic

PAPERS = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}
_MARGIN_MM = 12.0
_registered: str | None = None


def ensure_gui_app() -> QGuiApplication:
    """A GUI application for text layout; offscreen when run from the command line."""
    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([])
    assert isinstance(app, QGuiApplication)
    return app


def register_fonts() -> str:
    """Register the bundled font so the PDF has real text even with no system fonts."""
    global _registered
    if _registered is None:
        for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
            font_id = QFontDatabase.addApplicationFont(str(resources.path(f"fonts/{name}")))
            if font_id < 0:
                raise RuntimeError(f"bundled font {name} could not be loaded")
        _registered = FONT_FAMILY
    return _registered


def page_layout(paper: str) -> QPageLayout:
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}")
    return QPageLayout(
        QPageSize(PAPERS[paper]),
        QPageLayout.Orientation.Portrait,
        QMarginsF(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM, _MARGIN_MM),
        QPageLayout.Unit.Millimeter,
    )


def paint_plan(plan: Plan, device: QPagedPaintDevice, *, printed_at: datetime, h12: bool = False) -> int:
    """Lay the plan out on ``device``'s pages with a footer on each; returns the page count."""
    family = register_fonts()
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(device)
    doc.setDefaultFont(QFont(family, 8))
    doc.setHtml(render_html(plan, h12=h12))
    res = device.resolution()
    rect = device.pageLayout().paintRectPixels(res)
    footer_h = res * 0.35
    body = QSizeF(rect.width(), rect.height() - footer_h)
    doc.setPageSize(body)
    pages = doc.pageCount()
    stamp = printed_at.strftime("%Y-%m-%d %H:%M")
    painter = QPainter(device)
    try:
        footer_font = QFont(family, 7)
        for i in range(pages):
            if i:
                device.newPage()
            painter.save()
            painter.translate(0, -i * body.height())
            doc.drawContents(painter, QRectF(0, i * body.height(), body.width(), body.height()))
            painter.restore()
            painter.setFont(footer_font)
            painter.drawText(
                QRectF(0, body.height(), body.width(), footer_h),
                int(Qt.AlignmentFlag.AlignCenter),
                f"Page {i + 1} of {pages}   ·   printed {stamp}   ·   ivig_desktop {__version__}   ·   "
                "verify with a second clinician",
            )
    finally:
        painter.end()
    return pages


def pdf_bytes(
    plan: Plan, *, paper: str = "A4", printed_at: datetime | None = None, h12: bool = False
) -> bytes:
    ensure_gui_app()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buf)
    writer.setPageLayout(page_layout(paper))
    writer.setResolution(300)
    writer.setTitle("IVIG infusion schedule")
    writer.setCreator(f"ivig_desktop {__version__}")
    paint_plan(plan, writer, printed_at=printed_at or datetime.now(), h12=h12)
    del writer
    buf.close()
    return bytes(data.data())


def write_pdf(
    plan: Plan, path: Path, *, paper: str = "A4", printed_at: datetime | None = None, h12: bool = False
) -> None:
    """Render first, then write atomically: a failure leaves no partial file."""
    write_atomic(path, pdf_bytes(plan, paper=paper, printed_at=printed_at, h12=h12))
