#!/usr/bin/env python3
"""Renders the flyer (A4 and A5, French and English) to PNG in docs/, so reviewers see what is printed.

    .venv/bin/python scripts/render_flyers.py [--link URL] [--dpi 110]

Needs pypdfium2 (a test dependency: ``pip install -e ".[dev]"``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.domain import flyer  # noqa: E402 - after the sys.path line above

EXAMPLE_LINK = "https://t.me/ExempleMesBot?start=c_Ab3dEf9h"


def render_png(pdf_bytes: bytes, dpi: int):
    """The first page of a PDF as a PIL image."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf_bytes)
    try:
        return doc[0].render(scale=dpi / 72).to_pil()
    finally:
        doc.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--link", default=EXAMPLE_LINK, help="link in the QR code (default: an example)")
    ap.add_argument("--dpi", type=int, default=110)
    ap.add_argument("--out", default=str(ROOT / "docs"))
    a = ap.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    for locale in ("fr", "en"):
        for fmt in ("A4", "A5"):
            p = flyer.poster(a.link, locale, fmt)
            path = out / f"flyer-{fmt.lower()}-{locale}.png"
            render_png(p.pdf_bytes, a.dpi).save(path, optimize=True)
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
