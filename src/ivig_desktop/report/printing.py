"""Qt side of the printed schedule: font, pagination with "Page N of M", PDF and printer.

The same :func:`paint_plan` draws the preview, the printer and the PDF, so what a nurse
previews is what prints.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
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
    QTextFormat,
    QTextTable,
)

from ivig_desktop import __version__, resources
from ivig_desktop.engine.plan import DayPlan, Plan
from ivig_desktop.engine.risk_factors import Warning
from ivig_desktop.report.html import (
    FONT_FAMILY,
    SIGNATURE_FIRST,
    critical_banner,
    day_html,
    page_header,
    sources_html,
)
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


def _document(html: str, device: QPagedPaintDevice, family: str, size: QSizeF) -> QTextDocument:
    """A document laid out for ``device``: paginated at ``size``, or only wrapped when its height is 0."""
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(device)
    doc.setDefaultFont(QFont(family, 8))
    doc.setHtml(html)
    if size.height() > 0:
        doc.setPageSize(size)  # sets the width too: one layout, not two
    else:
        doc.setTextWidth(size.width())
    return doc


def _keep_signatures_together(doc: QTextDocument) -> None:
    """Start the signature table on a new page when a page boundary would cut through it.

    Qt moves the lines of a table cell to the next page one by one, so a three-line signature
    cell can be split: "Prepared by" at the foot of one page, its signature line on the next.
    """
    height = doc.pageSize().height()
    layout = doc.documentLayout()
    for frame in doc.rootFrame().childFrames():
        if not isinstance(frame, QTextTable):
            continue
        if not frame.cellAt(0, 0).firstCursorPosition().block().text().startswith(SIGNATURE_FIRST):
            continue
        box = layout.frameBoundingRect(frame)
        if box.height() < height and int(box.top() // height) != int((box.bottom() - 1) // height):
            fmt = frame.format()
            fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
            frame.setFormat(fmt)


def paint_plan(
    plan: Plan,
    device: QPagedPaintDevice,
    *,
    printed_at: datetime,
    h12: bool = False,
    acknowledged: Mapping[Warning, str] | None = None,
) -> int:
    """Lay the plan out on ``device``'s pages; returns the page count.

    Each day is its own document starting on a new page, and the Sources (full warning and
    label wording) follow the last day. Every page carries a header (name, MRN, date of birth,
    the day and its date), the critical warnings in a box when there are any, and a footer
    ("Page N of M", print date), so a page that spills over or comes loose still says whose
    it is and what must be acted on (with the reason each critical warning was acknowledged).
    """
    family = register_fonts()
    res = device.resolution()
    rect = device.pageLayout().paintRectPixels(res)
    band = res * 0.35
    banner_html = critical_banner(plan, acknowledged)
    banner = None
    banner_h = 0.0
    if banner_html:
        wrap_only = QSizeF(rect.width(), 0)
        banner = _document(f"<html><body>{banner_html}</body></html>", device, family, wrap_only)
        banner_h = banner.size().height() + band * 0.3
    body = QSizeF(rect.width(), rect.height() - 2 * band - banner_h)
    docs: list[tuple[DayPlan | None, QTextDocument, int]] = []
    for day, html in [(day, day_html(plan, day, h12=h12, banner=False)) for day in plan.days] + [
        (None, sources_html(plan))
    ]:
        doc = _document(html, device, family, body)
        _keep_signatures_together(doc)
        docs.append((day, doc, doc.pageCount()))
    pages = sum(n for _, _, n in docs)
    stamp = printed_at.strftime("%Y-%m-%d %H:%M")
    painter = QPainter(device)
    try:
        small = QFont(family, 7)
        page = 0
        for day, doc, count in docs:
            for k in range(count):
                if page:
                    device.newPage()
                page += 1
                painter.setFont(small)
                more = f" (continued, page {k + 1} of {count} for this day)" if k and day is not None else ""
                painter.drawText(
                    QRectF(0, 0, body.width(), band),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
                    f"{page_header(plan, day)}{more}",
                )
                if banner is not None:
                    painter.save()
                    painter.translate(0, band)
                    banner.drawContents(painter)
                    painter.restore()
                painter.save()
                painter.translate(0, band + banner_h - k * body.height())
                doc.drawContents(painter, QRectF(0, k * body.height(), body.width(), body.height()))
                painter.restore()
                painter.setFont(small)
                painter.drawText(
                    QRectF(0, band + banner_h + body.height(), body.width(), band),
                    int(Qt.AlignmentFlag.AlignCenter),
                    f"Page {page} of {pages}   ·   printed {stamp}   ·   ivig_desktop {__version__}   ·   "
                    "verify with a second clinician",
                )
    finally:
        painter.end()
    return pages


def pdf_bytes(
    plan: Plan,
    *,
    paper: str = "A4",
    printed_at: datetime | None = None,
    h12: bool = False,
    acknowledged: Mapping[Warning, str] | None = None,
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
    paint_plan(plan, writer, printed_at=printed_at or datetime.now(), h12=h12, acknowledged=acknowledged)
    del writer
    buf.close()
    return bytes(data.data())


def write_pdf(
    plan: Plan,
    path: Path,
    *,
    paper: str = "A4",
    printed_at: datetime | None = None,
    h12: bool = False,
    acknowledged: Mapping[Warning, str] | None = None,
) -> None:
    """Render first, then write atomically: a failure leaves no partial file."""
    write_atomic(
        path, pdf_bytes(plan, paper=paper, printed_at=printed_at, h12=h12, acknowledged=acknowledged)
    )
