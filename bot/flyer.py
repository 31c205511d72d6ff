"""For stands and flyers: a campaign link as a QR code image (segno) and a one-page printable
PDF (fpdf2) with the key steps and the QR code.  The texts are templates
(``campaign/flyer_title``, ``campaign/flyer_steps``); the link is a deep link to the bot."""
from __future__ import annotations

import io

from .core import Attachment

_LATIN1_FIX = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                             "\u2014": "-", "\u2026": "...", "\u202f": " ", "\u00a0": " ", "\u2022": "-"})


def deep_link(app, backend_name: str, payload: str) -> str:
    """A link that opens a private chat with the bot carrying ``payload``."""
    fn = app.services.get("deep_link")
    if fn:
        link = fn(backend_name, payload)
        if link:
            return link
    backend = app.backends.get(backend_name)
    if backend_name == "matrix":
        user = getattr(backend, "user_id", None) or app.settings.matrix_user or ""
        return f"https://matrix.to/#/{user}"
    username = getattr(backend, "username", None) or "mesbot"
    return f"https://t.me/{username}?start={payload}"


def qr_png(link: str, scale: int = 8) -> bytes:
    import segno

    buf = io.BytesIO()
    segno.make(link, error="m").save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


def _latin1(text: str) -> str:
    return text.translate(_LATIN1_FIX).encode("latin-1", "replace").decode("latin-1")


def flyer_pdf(link: str, title: str, steps: str, footer: str) -> bytes:
    import segno
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_margins(18, 18, 18)
    pdf.set_font("Helvetica", "B", 22)
    pdf.set_xy(18, 20)
    pdf.multi_cell(174, 10, _latin1(title))
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 13)
    pdf.multi_cell(174, 7, _latin1(steps))
    # the QR code drawn as vector squares: sharp at any print size
    qr = segno.make(link, error="m")
    size = 70.0
    y0 = max(pdf.get_y() + 8, 170.0)
    x0 = (210 - size) / 2
    matrix = list(qr.matrix)
    n = len(matrix)
    cell = size / n
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        for c, v in enumerate(row):
            if v:
                pdf.rect(x0 + c * cell, y0 + r * cell, cell + 0.02, cell + 0.02, style="F")
    pdf.set_xy(18, y0 + size + 6)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(174, 6, _latin1(link), align="C")
    pdf.set_font("Helvetica", "I", 10)
    pdf.multi_cell(174, 5, _latin1(footer), align="C")
    return bytes(pdf.output())


def make(link: str, locale: str = "fr", renderer=None, name: str | None = None) -> tuple[Attachment, Attachment]:
    """(QR code PNG, one-page PDF) for ``link``; ``name``: the collective, named in the title."""
    if renderer is None:
        from .render import Renderer

        renderer = Renderer()
    title = renderer.render("campaign/flyer_title", locale, name=name)
    steps = renderer.render("campaign/flyer_steps", locale)
    footer = renderer.render("campaign/flyer_footer", locale)
    png = Attachment("qr-mes-bot.png", qr_png(link), "image/png")
    pdf = Attachment("affiche-mes-bot.pdf" if locale == "fr" else "flyer-mes-bot.pdf",
                     flyer_pdf(link, title, steps, footer), "application/pdf")
    return png, pdf
