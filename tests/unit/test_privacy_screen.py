"""The privacy screen: what people must never send is detected by shape, removed, never kept;
ordinary messages (dates, the 3422, durations, ages, questions about doctors) pass untouched."""

import re

import pytest

from bot.lang import health_terms
from bot.lang.privacy import screen
from tests.support.harness import Chat

NIRS = [
    "1 84 12 75 123 456 78",
    "184127512345678",
    "2 84 12 2A 123 456 12",
    "284122B12345612",
    "1.84.12.75.123.456.78",
    "1-84-12-75-123-456-78",
    "1 84 12 75 123 456",
    "2 99 13 99 999 999 00",  # key wrong or missing: still a NIR
    "284122A12345699",
    "7 84 12 75 123 456 78",
]


@pytest.mark.parametrize("nir", NIRS)
def test_nir_found_by_shape_and_removed(nir):
    for text in (nir, f"mon numéro c'est {nir} merci", f"NIR:{nir}."):
        r = screen(text)
        assert "nir" in r.findings, text
        digits = "".join(c for c in nir if c.isalnum())
        assert digits[3:9] not in "".join(c for c in r.text if c.isalnum()), r.text


@pytest.mark.parametrize(
    "text",
    [
        "mon code est AB12CD34",
        "code provisoire : 7KQ-9XZ-42M",
        "mon code c'est 48213977",
        "le code provisoire 4821 3977",
        "CODE: XKPLMQ",
        "voici XK42PL9QZ",
        "mon code provisoire est ab12cd34ef",
    ],
)
def test_code_found_and_removed(text):
    r = screen(text)
    assert "code" in r.findings
    for part in ("AB12CD34", "7KQ", "48213977", "4821", "XKPLMQ", "XK42PL9QZ", "ab12cd34ef"):
        assert part not in r.text


@pytest.mark.parametrize(
    "text",
    [
        "ma carte vitale numéro de série 123456789",
        "n° de série de la carte Vitale : 12 345 678 9",
        "vitale 8123456701",
    ],
)
def test_vitale_serial_found(text):
    r = screen(text)
    assert "vitale" in r.findings
    assert not any(ch.isdigit() for ch in r.text)


@pytest.mark.parametrize(
    "text",
    [
        "je suis diabétique, est-ce grave ?",
        "j'ai fait une IVG",
        "je prends du Xanax",
        "mon fils est autiste",
        "je suis enceinte de 3 mois",
        "j'ai un cancer du sein",
        "je suis séropositif",
        "sclérose en plaques",
        "je suis en dépression",
        "mon psychiatre peut voir ?",
        "j'ai le VIH",
        "suivi pour une hépatite C",
    ],
)
def test_health_details_found_and_removed(text):
    r = screen(text)
    assert "health" in r.findings, text
    for word in (
        "diab",
        "IVG",
        "Xanax",
        "autiste",
        "enceinte",
        "cancer",
        "séropositif",
        "sclérose",
        "dépression",
        "psychiatre",
        "VIH",
        "hépatite",
    ):
        assert word.lower() not in r.text.lower()


CLEAN = [
    "j'ai reçu le mail le 03/11/2026",
    "reçu le 3 novembre",
    "le 3422 c'est gratuit ?",
    "6 semaines",
    "18 ans",
    "mon médecin voit tout ?",
    "Assurance maladie",
    "et en cas d'urgence ?",
    "mes ordonnances sont dedans ?",
    "c'est quoi le dossier médical partagé",
    "mon code est périmé",
    "j'ai perdu mon code provisoire",
    "le code marche pas",
    "code postal 75011",
    "du lundi au vendredi de 8h30 à 17h30",
    "article R1111-28 et L1111-16",
    "3novembre2026",
    "le 03.11.2026",
    "2026-11-03",
    "ma fille a 10 ans",
    "on est le 22/11/2026 à 10:00",
    "il me reste 42 jours",
    "délai insuffisant",
    "mon numéro de série est où ?",
    "les résultats d'analyses",
    "mes vaccins",
    "mon bébé vient de naître",
    "je suis sourd",
    "1 mois ou 6 semaines ?",
    "mon dossier 2A",
]


@pytest.mark.parametrize("text", CLEAN)
def test_no_false_positive(text):
    r = screen(text)
    assert r.findings == [], (text, r.findings)
    assert r.text == text


def test_health_strip_contract():
    assert health_terms.strip("") == ("", False)
    said = "mon médecin traitant voit mes documents"
    text, found = health_terms.strip(said)
    assert (text, found) == (said, False)


async def test_nothing_sensitive_is_kept_anywhere(app_env, caplog):
    app, backend, _ = app_env
    c = Chat(app, backend)
    caplog.set_level("DEBUG")
    secrets = ["2 84 12 2A 123 456 12", "AB12CD34", "diabétique", "8123456701"]
    await c.say("bonjour, mon numéro est 2 84 12 2A 123 456 12 et mon code est AB12CD34")
    assert c.keys[0] == "core/privacy_warning"
    await c.say("je suis diabétique, mon médecin voit tout ?")
    assert c.keys[0] == "core/privacy_warning"
    assert "understand/doctor" in c.keys  # the rest of the question is still answered
    await c.say("carte vitale 8123456701")
    dump = "\n".join(str(r) for t in app.store.db.table_names() for r in app.store.db[t].rows)
    sent = "\n".join(r.text for _c, r in backend.sent) + "\n".join(r.text for r in c.last)
    for s in secrets:
        assert s not in dump and s not in caplog.text and s not in sent


@pytest.mark.parametrize(
    "text",
    [
        "appelez-moi au 06 12 34 56 78",
        "mon tel 0612345678",
        "joignable au +33 6 12 34 56 78",
        "au 01.44.55.66.77 le soir",
    ],
)
def test_phone_numbers_are_screened_and_never_read_as_dates(text):
    from datetime import date

    from bot.lang import dates

    s = screen(text)
    assert "phone" in s.findings
    assert not re.search(r"\d{2}[ .]?\d{2}[ .]?\d{2}", s.text)
    assert not dates.has_date(text, date(2026, 11, 22))


@pytest.mark.parametrize("text", ["reçu le 03/11/2026", "le 3.11.26", "3422", "reçu le 06 11", "il y a 12 jours"])
def test_dates_and_3422_are_not_phone_numbers(text):
    assert "phone" not in screen(text).findings
