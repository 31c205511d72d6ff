"""For stands and flyers: a campaign link as a QR code image (segno) and a printable poster (fpdf2),
A4 and A5, French and English.  Every word on it is a template under ``locales/<lang>/flyer/``.

The poster informs, it does not push: keeping and refusing get the same weight.  Layout is
measured, not guessed: each text box is wrapped with fpdf2's own line breaking at its final size and
recorded in :attr:`Poster.boxes`, so a test can check that no line overflows its box, no word is
cut, and no box runs past the page or into another one."""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, field
from typing import cast

from ..core.types import Attachment

# A4 portrait in millimetres; A5 is the same poster scaled by 1/sqrt(2) (A4 -> A5 keeps proportions).
SIZES = {"A4": 1.0, "A5": 0.5**0.5}
PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 14.0
NAVY, ACCENT, INK, SOFT, PAPER, RULE = (
    (22, 48, 82),
    (196, 98, 16),
    (33, 37, 41),
    (92, 99, 106),
    (244, 246, 248),
    (206, 212, 218),
)
#: Smallest font size (points, on A4) of what must be read from about 2 metres: the title, the rule,
#: the headings and the two ways to refuse; and of the sentences read on stepping closer.
READ_AT_2M_PT = 20
BODY_MIN_PT = 15
FLYER_KEYS = (
    "title",
    "subtitle",
    "rule",
    "keep_title",
    "keep",
    "refuse_title",
    "online_title",
    "online",
    "online_detail",
    "phone_title",
    "phone",
    "phone_hours",
    "close",
    "scan_title",
    "scan",
    "privacy_title",
    "privacy",
    "by",
)
# Windows-1252 holds French and English typography (’ « » – …); anything else becomes close ASCII.
# Straight apostrophes become typographic ones on paper.
_FALLBACK = str.maketrans({"\u202f": "\u00a0", "\u2009": " ", "\u2011": "-", "'": "\u2019"})


class NoPublicLink(LookupError):
    """No link to the bot is known: no username from the platform and no configured public link."""


def bot_link(app, backend_name: str, payload: str) -> str | None:
    """A link that opens a private chat with *this* running bot carrying ``payload``, or None.

    Each backend makes its own (:meth:`bot.core.types.Backend.link`: Telegram's t.me link, the web
    page's address, Matrix's matrix.to, which carries no payload).  A backend without one (the
    console) prints the link of a running backend that offers it to others (Telegram)."""
    backend = app.backends.get(backend_name)
    link = backend.link(payload) if backend is not None else None
    if link:
        return link
    for other in app.backends.values():
        if other is not backend and other.link_for_others:
            link = other.link(payload)
            if link:
                return link
    return None


def configured_link(settings, payload: str) -> str | None:
    """The operator's public link (``public_link``, or a web page's ``web_public_url``) with ``payload``."""
    return with_start(getattr(settings, "public_link", None) or getattr(settings, "web_public_url", None), payload)


def with_start(base: str | None, payload: str) -> str | None:
    return f"{base}{'&' if '?' in base else '?'}start={payload}" if base else None


def deep_link(app, backend_name: str, payload: str) -> str | None:
    """The running bot's link, else the configured public link, else None."""
    return bot_link(app, backend_name, payload) or configured_link(app.settings, payload)


def flyer_link(app, backend_name: str, payload: str) -> str:
    """The link printed on a flyer: the configured public link first (the operator chose it for the
    public), else the running bot's.  Raises :class:`NoPublicLink` when neither is known."""
    link = configured_link(app.settings, payload) or bot_link(app, backend_name, payload)
    if not link:
        raise NoPublicLink(backend_name)
    return link


def qr_png(link: str, scale: int = 8) -> bytes:
    import segno

    buf = io.BytesIO()
    segno.make(link, error="m").save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


def pdf_text(text: str) -> str:
    """``text`` as the PDF's core fonts can print it (Windows-1252); the space before a French
    « : ; ? ! » never breaks, so no line starts with one."""
    text = re.sub(r" ([:;?!»])", "\u00a0\\1", text).replace("« ", "«\u00a0")
    return "".join(c if _in_cp1252(c) else "?" for c in text.translate(_FALLBACK))


def _in_cp1252(c: str) -> bool:
    try:
        c.encode("cp1252")
        return True
    except UnicodeEncodeError:
        return False


@dataclass
class Box:
    """One text box as placed: position and size in mm, font, and the lines fpdf2 wrapped it into."""

    key: str
    x: float
    y: float
    w: float
    h: float
    size: float
    style: str
    text: str
    lines: list[str] = field(default_factory=list)


class Poster:
    """The poster on one page of ``fmt`` (``A4`` or ``A5``); :meth:`build` draws it."""

    def __init__(self, texts: dict[str, str], link: str, fmt: str = "A4"):
        from fpdf import FPDF

        self.k = SIZES[fmt]
        self.fmt, self.texts, self.link = fmt, {k: pdf_text(v) for k, v in texts.items()}, link
        self.boxes: list[Box] = []
        self.pdf_bytes = b""  # set by :func:`poster` once built
        self.named = False  # the collective's name is printed after "by" (else a line to write it on)
        self.shapes: list[tuple[str, float, float, float, float]] = []  # (kind, x, y, w, h)
        with warnings.catch_warnings():  # fpdf2 notes that its A5 size was corrected in 2.8.5
            warnings.simplefilter("ignore", UserWarning)
            pdf = FPDF(format=fmt, unit="mm")
        pdf.core_fonts_encoding = "windows-1252"
        pdf.set_auto_page_break(False)
        pdf.set_margins(0, 0, 0)
        pdf.c_margin = 0
        pdf.set_title(texts["title"])
        pdf.add_page()
        self.pdf = pdf

    # -- measuring and drawing ------------------------------------------------------------------------
    def lines(self, text: str, w: float, size: float, style: str = "") -> list[str]:
        from fpdf.enums import MethodReturnValue

        self.pdf.set_font("Helvetica", style, size * self.k)
        # with output=LINES, multi_cell returns the list of lines (its annotation covers every output mode)
        lines = cast(list[str], self.pdf.multi_cell(w * self.k, 1, text, dry_run=True, output=MethodReturnValue.LINES))
        # fpdf2 returns the lines already encoded for the core font: back to str
        return [ln.encode("latin-1").decode("cp1252") for ln in lines]

    def fit(self, text: str, w: float, size: float, style: str = "", max_lines: int = 99, min_size: float = 8) -> float:
        """The largest size <= ``size`` at which ``text`` fits ``w`` in at most ``max_lines`` whole-word lines."""
        while size > min_size:
            lines = self.lines(text, w, size, style)
            if len(lines) <= max_lines and all(_whole_words(ln, text) for ln in lines):
                return size
            size -= 0.5
        return min_size

    def text(
        self,
        key: str,
        x: float,
        y: float,
        w: float,
        size: float,
        style: str = "",
        color=INK,
        align: str = "L",
        lead: float = 1.22,
        text: str | None = None,
    ) -> float:
        """Draw ``key``'s text in a box at (x, y) ``w`` wide (A4 mm); returns the box height (A4 mm)."""
        text = self.texts[key] if text is None else pdf_text(text)
        lines = self.lines(text, w, size, style)
        line_h = size * 0.3528 * lead  # points to mm
        pdf, k = self.pdf, self.k
        pdf.set_text_color(*color)
        for i, line in enumerate(lines):
            pdf.set_xy(x * k, (y + i * line_h) * k)
            pdf.cell(w * k, line_h * k, line, align=align)
        h = line_h * len(lines)
        self.boxes.append(Box(key, x * k, y * k, w * k, h * k, size * k, style, text, lines))
        return h

    def rect(self, kind: str, x: float, y: float, w: float, h: float, fill, radius: float = 0) -> None:
        k = self.k
        self.pdf.set_fill_color(*fill)
        if radius:
            self.pdf.rect(x * k, y * k, w * k, h * k, style="F", round_corners=True, corner_radius=radius * k)
        else:
            self.pdf.rect(x * k, y * k, w * k, h * k, style="F")
        self.shapes.append((kind, x * k, y * k, w * k, h * k))

    def qr(self, x: float, y: float, size: float) -> None:
        """The QR code as vector squares: sharp at any print size (quiet zone included in ``size``)."""
        import segno

        qr = segno.make(self.link, error="m")
        matrix = [list(r) for r in qr.matrix]
        n = len(matrix) + 8  # 4 modules of quiet zone on each side
        cell = size * self.k / n
        x0, y0 = x * self.k + 4 * cell, y * self.k + 4 * cell
        self.pdf.set_fill_color(0, 0, 0)
        for r, row in enumerate(matrix):
            c = 0
            while c < len(row):  # one rectangle per run of dark modules
                if row[c]:
                    start = c
                    while c < len(row) and row[c]:
                        c += 1
                    self.pdf.rect(x0 + start * cell, y0 + r * cell, (c - start) * cell, cell + 0.01, style="F")
                else:
                    c += 1
        self.shapes.append(("qr", x * self.k, y * self.k, size * self.k, size * self.k))

    # -- the poster -------------------------------------------------------------------------------------------
    def build(self) -> bytes:
        t, L, W = self.texts, MARGIN, PAGE_W - 2 * MARGIN
        # header band: what it is about, and that the choice is the reader's
        self.rect("band", 0, 0, PAGE_W, 48, NAVY)
        self.rect("band-edge", 0, 48, PAGE_W, 2.2, ACCENT)
        self.text("title", L, 9, W, self.fit(t["title"], W, 44, "B", 1), "B", (255, 255, 255))
        self.text("subtitle", L, 28.5, W, self.fit(t["subtitle"], W, 21, "", 1), "", (255, 255, 255))
        # the deadline rule, in one sentence
        y = 60.0
        size = self.fit(t["rule"], W - 7, 20, "B", 3)
        h = self.height(t["rule"], W - 7, size, "B")
        self.rect("rule-bar", L, y + 0.8, 2.4, h - 1.6, ACCENT)
        self.text("rule", L + 7, y, W - 7, size, "B", NAVY)
        top = y + h + 9
        # left: keep it, then refuse it (two ways, as cards); same heading size for both
        cw = 100.0
        y = top
        y += self.text("keep_title", L, y, cw, self.fit(t["keep_title"], cw, 22, "B", 1), "B", NAVY) + 2
        y += self.text("keep", L, y, cw, self.fit(t["keep"], cw, 18, "", 3), "", INK) + 8
        y += self.text("refuse_title", L, y, cw, self.fit(t["refuse_title"], cw, 22, "B", 1), "B", NAVY) + 3
        y += self._card(L, y, cw, "online_title", "online", "online_detail", 22) + 3
        y += self._card(L, y, cw, "phone_title", "phone", "phone_hours", 30) + 4
        y += self.text("close", L, y, cw, self.fit(t["close"], cw, 15, "", 3), "", SOFT)
        left_bottom = y
        # right: the QR code, large, and what it does
        rx = L + cw + 8
        rw = W - cw - 8
        qs = rw + 8  # its white quiet zone may spill into the gutter and the margin
        self.qr(rx - 4, top - 4, qs)
        y = top - 4 + qs + 1
        y += self.text("scan_title", rx, y, rw, self.fit(t["scan_title"], rw, 22, "B", 1), "B", NAVY) + 2
        y += self.text("scan", rx, y, rw, self.fit(t["scan"], rw, 16, "", 6), "", INK) + 3
        y += self.text("link", rx, y, rw, self.fit(self.link, rw, 10, "", 1, 5), "", SOFT, text=self.link)
        # the privacy promise, in full
        py = max(left_bottom, y) + 8
        iw = W - 12
        size = self.fit(t["privacy"], iw, 12.5, "", 5)
        ph = 5 + self.height(t["privacy_title"], iw, 13, "B") + 1.5 + self.height(t["privacy"], iw, size) + 4
        self.rect("privacy", L, py, W, ph, PAPER, radius=3)
        ty = py + 5 + self.text("privacy_title", L + 6, py + 5, iw, 13, "B", NAVY) + 1.5
        self.text("privacy", L + 6, ty, iw, size, "", INK)
        # a place for the collective's name, to write on
        by_y = max(py + ph + 8, PAGE_H - MARGIN - 6)
        self.text("by", L, by_y, W, 13, "B", SOFT)
        if self.named:
            return bytes(self.pdf.output())  # the collective's name is printed: no line to write on
        self.pdf.set_font("Helvetica", "B", 13 * self.k)
        lx = L + self.pdf.get_string_width(t["by"]) / self.k + 3
        self.pdf.set_draw_color(*RULE)
        self.pdf.set_line_width(0.35 * self.k)
        self.pdf.line(lx * self.k, (by_y + 5.2) * self.k, (L + W) * self.k, (by_y + 5.2) * self.k)
        return bytes(self.pdf.output())

    def height(self, text: str, w: float, size: float, style: str = "", lead: float = 1.22) -> float:
        return len(self.lines(text, w, size, style)) * size * 0.3528 * lead

    def _card(self, x, y, w, title_key, big_key, detail_key, big_size) -> float:
        """A card: small title, the big way to act, its detail; returns its height (A4 mm)."""
        t, pad, iw = self.texts, 4.5, w - 9
        big = self.fit(t[big_key], iw, big_size, "B", 1)
        detail = self.fit(t[detail_key], iw, 14, "", 2)
        h = (
            pad
            + self.height(t[title_key], iw, 12, "B")
            + 1
            + self.height(t[big_key], iw, big, "B")
            + 1
            + self.height(t[detail_key], iw, detail)
            + pad
            - 1
        )
        self.rect("card", x, y, w, h, PAPER, radius=2.5)
        cy = y + pad
        cy += self.text(title_key, x + pad, cy, iw, 12, "B", SOFT) + 1
        cy += self.text(big_key, x + pad, cy, iw, big, "B", ACCENT) + 1
        self.text(detail_key, x + pad, cy, iw, detail, "", INK)
        return h


def _whole_words(line: str, text: str) -> bool:
    """True when every word of ``line`` is a whole word of ``text`` (fpdf2 cuts words too long for a line)."""
    words = set(text.split())
    return all(wd in words for wd in line.split())


def texts(
    renderer, locale: str, purge_days: int, name: str | None = None, start_cmd: str | None = None
) -> dict[str, str]:
    """The poster's texts; ``name``: the collective, printed after "Proposé par" (else a line to write on)."""
    return {
        k: renderer.render(f"flyer/{k}", locale, purge_days=purge_days, name=name, start_cmd=start_cmd)
        for k in FLYER_KEYS
    }


def poster(
    link: str,
    locale: str = "fr",
    fmt: str = "A4",
    renderer=None,
    purge_days: int = 14,
    name: str | None = None,
    start_cmd: str | None = None,
) -> Poster:
    """The poster, built (its PDF bytes in ``.pdf_bytes``, its boxes in ``.boxes``)."""
    if renderer is None:
        from ..core.render import Renderer

        renderer = Renderer()
    p = Poster(texts(renderer, locale, purge_days, name, start_cmd), link, fmt)
    p.named = bool(name)
    p.pdf_bytes = p.build()
    return p


def make(
    link: str,
    locale: str = "fr",
    renderer=None,
    purge_days: int = 14,
    name: str | None = None,
    start_cmd: str | None = None,
) -> tuple[Attachment, ...]:
    """(QR code PNG, A4 poster PDF, A5 poster PDF) for ``link``; ``name``: the collective's;
    ``start_cmd``: what to write to the bot when the link cannot carry the campaign (Matrix)."""
    stem = "affiche-mes-bot" if locale == "fr" else "flyer-mes-bot"
    a4 = poster(link, locale, "A4", renderer, purge_days, name, start_cmd).pdf_bytes
    a5 = poster(link, locale, "A5", renderer, purge_days, name, start_cmd).pdf_bytes
    return (
        Attachment("qr-mes-bot.png", qr_png(link), "image/png"),
        Attachment(f"{stem}-a4.pdf", a4, "application/pdf"),
        Attachment(f"{stem}-a5.pdf", a5, "application/pdf"),
    )
