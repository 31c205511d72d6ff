"""bot/richtext.py: an organiser's formatting kept, through one allow-list, for Telegram and Matrix."""

from bot.lang import richtext
from tests.support.telegram_emulator import parse_html


def tg_message(text, entities):
    return {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": text, "entities": entities}


def test_telegram_entities_become_safe_html_the_emulator_accepts():
    text = "Réunion jeudi, <à la> maison & co : le site, une citation"

    def at(word):
        return {"offset": text.index(word), "length": len(word)}  # no character outside the BMP here

    ents = [
        dict(at("Réunion"), type="bold"),
        dict(at("jeudi"), type="italic"),
        dict(at("le site"), type="text_link", url="https://collectif.example/?a=1&b=2"),
        dict(at("une citation"), type="blockquote"),
        dict(at("co"), type="spoiler"),
    ]
    html = richtext.from_telegram(tg_message(text, ents))
    assert html.startswith("<b>Réunion</b> <i>jeudi</i>, &lt;à la&gt; maison &amp; co")
    assert '<a href="https://collectif.example/?a=1&amp;b=2">le site</a>' in html
    assert "<blockquote>une citation</blockquote>" in html and "span" not in html  # spoiler: words kept
    assert parse_html(html) == text  # Telegram reads back exactly her words
    assert richtext.to_plain(html) == text.replace("le site", "le site (https://collectif.example/?a=1&b=2)")


def test_tags_typed_as_text_are_formatting_but_scripts_and_odd_links_are_not():
    html = richtext.from_telegram(
        tg_message(
            '<b>J-7</b> <script>x()</script> <a href="javascript:alert(1)">ici</a> '
            '<a href="https://ok.example">là</a> <i>sans fin',
            [],
        )
    )
    assert html.startswith("<b>J-7</b>")
    assert "<script" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html  # her words, never markup
    assert "javascript" not in html and " ici " in html
    assert '<a href="https://ok.example">là</a>' in html
    assert html.endswith("<i>sans fin</i>")  # balanced, so Telegram accepts it
    parse_html(html)


def test_matrix_formatted_body_is_cleaned_and_plain_text_derived():
    content = {
        "body": "x",
        "format": "org.matrix.custom.html",
        "formatted_body": "<mx-reply><blockquote>old</blockquote></mx-reply><p><strong>Permanence</strong> "
        '<font color="red">02 40 12 34 56</font></p><p>suite<br>ligne</p>'
        '<img src="mxc://x/y"><a href="https://a.example" onclick="x">lien</a>',
    }
    html = richtext.from_matrix(content)
    assert html.startswith("<strong>Permanence</strong> 02 40 12 34 56")
    assert "old" not in html and "img" not in html and "onclick" not in html and "font" not in html
    assert "suite\nligne" in html
    assert richtext.to_plain(html) == "Permanence 02 40 12 34 56\n\nsuite\nlignelien (https://a.example)"
    assert richtext.from_matrix({"body": "plain words"}) is None
