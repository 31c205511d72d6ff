"""The collectives' poster: measured (no text overflows its box, no word is cut, nothing runs off the page or
into another box), rendered to pixels (pypdfium2) and read back (every word is printed, the QR code on the
page is the link's), and the QR code leads to *this* bot or no poster is made."""

import itertools

import pytest

from bot.domain import flyer
from bot.infra.config import Settings
from tests.support.collectives import admin_session, campaign_list
from tests.support.harness import make_app

pdfium = pytest.importorskip("pypdfium2")

LINK = "https://t.me/some_bot?start=c_Ab3dEf9h"
CASES = list(itertools.product(("fr", "en"), ("A4", "A5")))
#: the texts meant to be read from about 2 metres, and the sentences read on stepping closer
FAR = ("title", "rule", "keep_title", "refuse_title", "online", "phone")
BODY = ("subtitle", "keep", "close", "scan_title", "scan")


def _overlap(a, b) -> bool:
    return a.x < b.x + b.w - 0.01 and b.x < a.x + a.w - 0.01 and a.y < b.y + b.h - 0.01 and b.y < a.y + a.h - 0.01


@pytest.mark.parametrize(
    "extra", [{}, {"name": "Collectif Santé Libre du Val-de-Marne", "start_cmd": "/start c_Ab3dEf9h"}]
)  # named; a Matrix-only link
@pytest.mark.parametrize("locale,fmt", CASES)
def test_every_text_fits_its_box_whole_and_on_the_page(locale, fmt, extra):
    p = flyer.poster(LINK, locale, fmt, **extra)
    page_w, page_h = p.pdf.w, p.pdf.h
    assert (round(page_w), round(page_h)) == ((210, 297) if fmt == "A4" else (148, 210))
    keys = {b.key for b in p.boxes}
    assert set(flyer.FLYER_KEYS) | {"link"} == keys
    for b in p.boxes:
        p.pdf.set_font("Helvetica", b.style, b.size)
        for line in b.lines:
            assert p.pdf.get_string_width(line) <= b.w + 1e-6, (locale, fmt, b.key, line)
        # nothing dropped, no word broken: the lines' words are the text's words, in order
        assert " ".join(b.lines).split() == b.text.split(), (b.key, b.lines)
        assert b.x >= 0 and b.y >= 0 and b.x + b.w <= page_w - 5 * p.k and b.y + b.h <= page_h - 5 * p.k, b.key
    for a, b in itertools.combinations(p.boxes, 2):
        assert not _overlap(a, b), (a.key, b.key)
    qr = next(s for s in p.shapes if s[0] == "qr")
    qr_box = flyer.Box("qr", *qr[1:], size=0, style="", text="")
    assert not [b.key for b in p.boxes if _overlap(b, qr_box)]
    # large enough to scan from a step away, readable from about 2 metres
    assert qr[3] >= 70 * p.k
    for b in p.boxes:
        if b.key in FAR:
            assert b.size >= flyer.READ_AT_2M_PT * p.k - 1e-6, (b.key, b.size)
        if b.key in BODY:
            assert b.size >= flyer.BODY_MIN_PT * p.k - 1e-6, (b.key, b.size)
    # the phone hours never break inside a time ("17 h 30" on one line)
    if locale == "fr":
        hours = next(b for b in p.boxes if b.key == "phone_hours")
        assert "17\u00a0h\u00a030" in hours.text
        assert any("17 h 30" in line.replace("\u00a0", " ") for line in hours.lines), hours.lines
        for width in range(30, 90, 3):  # even where it must wrap, a time stays whole
            lines = [ln.replace("\u00a0", " ") for ln in p.lines(hours.text, width, 14)]
            assert not [ln for ln in lines if ln.rstrip().endswith((" 8", " 17", " h"))], lines


def _render(pdf_bytes: bytes, dpi: int):
    doc = pdfium.PdfDocument(pdf_bytes)
    page = doc[0]
    image = page.render(scale=dpi / 72).to_pil().convert("L")
    text = page.get_textpage().get_text_range()
    return doc, image, text


@pytest.mark.parametrize("locale,fmt", CASES)
def test_rendered_page_prints_every_word_and_the_right_qr_code(locale, fmt):
    import segno

    p = flyer.poster(LINK, locale, fmt)
    assert len(pdfium.PdfDocument(p.pdf_bytes)) == 1
    doc, image, text = _render(p.pdf_bytes, 200)
    printed = text.replace("\u00a0", " ").split()
    for key in ("rule", "privacy", "phone_hours", "online", "by"):
        want = p.texts[key].replace("\u00a0", " ").split()
        assert " ".join(want) in " ".join(printed), key
    # read the QR code back from the pixels, module by module, and compare with the link's code
    matrix = [list(r) for r in segno.make(LINK, error="m").matrix]
    n = len(matrix)
    _kind, x, y, size, _ = next(s for s in p.shapes if s[0] == "qr")
    px = 200 / 25.4  # pixels per mm
    cell = size / (n + 8)
    wrong = 0
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            cx, cy = (x + (4 + c + 0.5) * cell) * px, (y + (4 + r + 0.5) * cell) * px
            wrong += (image.getpixel((int(cx), int(cy))) < 128) != bool(dark)
    assert wrong == 0
    doc.close()


def test_link_comes_from_this_bot_or_the_setting_or_nothing(tmp_path):
    app, backend, _clock = make_app(tmp_path)
    backend.username = "collectif_bot"
    assert flyer.flyer_link(app, "fake", "c_x") == "https://t.me/collectif_bot?start=c_x"
    backend.username = None
    with pytest.raises(flyer.NoPublicLink):
        flyer.flyer_link(app, "fake", "c_x")
    app.settings.public_link = "https://t.me/OurBot"
    assert flyer.flyer_link(app, "fake", "c_x") == "https://t.me/OurBot?start=c_x"
    app.settings.public_link = "https://bot.example.org/?lang=fr"
    assert flyer.flyer_link(app, "fake", "c_x") == "https://bot.example.org/?lang=fr&start=c_x"
    assert Settings().public_link is None


def test_console_alone_prints_no_link_to_someone_elses_bot(tmp_path):
    from bot.backends.console import ConsoleBackend

    app, _backend, _clock = make_app(tmp_path)
    app.add_backend(ConsoleBackend(app))
    with pytest.raises(flyer.NoPublicLink):
        flyer.flyer_link(app, "console", "c_x")
    assert flyer.deep_link(app, "console", "v_tok") is None
    app.settings.public_link = "https://t.me/OurBot"
    assert flyer.flyer_link(app, "console", "c_x") == "https://t.me/OurBot?start=c_x"


async def _campaign_list(app, backend):
    p = await admin_session(app, backend)
    await campaign_list(p)
    return p


async def test_flyer_without_a_public_link_is_refused_kindly_and_the_list_stays(tmp_path):
    app, backend, _clock = make_app(tmp_path)
    backend.username = None  # like the console, or Matrix only: no t.me link to print
    p = await _campaign_list(app, backend)
    await p.press("Affiche et QR A")
    assert p.keys == ["campaign/flyer_no_link", "campaign/list"]
    assert "public_link" in p.text and "t.me" not in p.text
    assert all(r.attachment is None for r in p.last)
    # the choices are still there: typing a number works
    labels = [b.label for r in p.last for b in r.flat_buttons()]
    await p.say(str(labels.index("Affiche et QR A") + 1))
    assert "campaign/flyer_no_link" in p.keys


async def test_flyer_uses_the_configured_public_link(tmp_path):
    app, backend, _clock = make_app(tmp_path)
    backend.username = None
    app.settings.public_link = "https://t.me/NotreBot"
    p = await _campaign_list(app, backend)
    await p.press("Affiche et QR A")
    assert p.keys == ["campaign/flyer_qr", "campaign/flyer_pdf", "campaign/flyer_pdf_a5", "campaign/list"]
    code = app.store.list_campaigns(1)[0]["code"]
    assert f"https://t.me/NotreBot?start=c_{code}" in p.last[0].text
    png, a4, a5 = (r.attachment for r in p.last[:3])
    assert png.data.startswith(b"\x89PNG") and a4.filename == "affiche-mes-bot-a4.pdf"
    for att, size in ((a4, (595, 842)), (a5, (420, 595))):
        doc = pdfium.PdfDocument(att.data)
        assert len(doc) == 1 and tuple(round(v) for v in doc[0].get_size()) == size
        assert f"start=c_{code}" in doc[0].get_textpage().get_text_range()
        doc.close()


async def test_flyer_link_is_the_running_telegram_bots_own(tg):
    """The real backend asked the Bot API who it is (getMe): the QR code opens that bot."""
    assert tg.emu.calls["getMe"] >= 1
    link = flyer.flyer_link(tg.app, "telegram", "c_Ab3dEf9h")
    assert link == f"https://t.me/{tg.emu.username}?start=c_Ab3dEf9h"
    # and the console run next to it prints the same link, not someone else's bot
    assert flyer.flyer_link(tg.app, "console", "c_Ab3dEf9h") == link


def test_a_link_that_cannot_carry_the_campaign_prints_the_command_to_write():
    """Matrix: matrix.to cannot carry the campaign code, so the poster says what to write to the bot."""
    p = flyer.poster("https://matrix.to/#/@mesbot:example.org", "fr", "A4", start_cmd="/start c_Ab3dEf9h")
    scan = next(b for b in p.boxes if b.key == "scan")
    assert "/start c_Ab3dEf9h" in " ".join(scan.lines)
    plain = flyer.poster(LINK, "fr", "A4")
    assert "/start" not in " ".join(next(b for b in plain.boxes if b.key == "scan").lines)
