"""Table-driven corpus: real phrases, several "today"s (month and year boundaries, leap
years).  Expected values were worked out by hand from a calendar.

Notation: "YYYY-MM-DD" = understood date; a trailing "~" = fuzzy (earliest plausible day,
approximate); otherwise an error code."""
from datetime import date

import pytest

from bot.lang.dates import parse

# today -> [(phrase, expected)]
CORPUS = {
    # Sunday 22 November 2026
    "2026-11-22": [
        ("3/11", "2026-11-03"), ("03/11/2026", "2026-11-03"), ("3.11.26", "2026-11-03"),
        ("2026-11-03", "2026-11-03"), ("2026/11/03", "2026-11-03"), ("03112026", "2026-11-03"),
        ("03.11.2026", "2026-11-03"), ("3/11/26", "2026-11-03"), ("03-11-2026", "2026-11-03"),
        ("3 / 11 / 2026", "2026-11-03"),
        ("le 3 novembre", "2026-11-03"), ("3 nov", "2026-11-03"), ("3 nov.", "2026-11-03"),
        ("3 novembre 2026", "2026-11-03"), ("mardi 3 novembre 2026", "2026-11-03"),
        ("LE 3 NOVEMBRE", "2026-11-03"), ("le 3 Novembre", "2026-11-03"), ("le trois novembre", "2026-11-03"),
        ("le 3 novmbre", "2026-11-03"), ("le 3 nouvembre", "2026-11-03"), ("reçu le 3/11 je crois", "2026-11-03"),
        ("euh le 3/11 je pense", "2026-11-03"), ("j'ai reçu le mail le 3 novembre", "2026-11-03"),
        ("Le mail date du 03/11", "2026-11-03"), ("mail reçu le 03-11-2026", "2026-11-03"),
        ("Le mar. 3 nov. 2026 à 14:32, Assurance Maladie a écrit", "2026-11-03"),
        ("Envoyé : mardi 3 novembre 2026 10:12", "2026-11-03"), ("le 3 à 14h", "2026-11-03"),
        ("3nov", "2026-11-03"), ("le 3 de novembre", "2026-11-03"), ("novembre le 3", "2026-11-03"),
        ("November 3", "2026-11-03"), ("3 November 2026", "2026-11-03"),
        ("le 1er novembre", "2026-11-01"), ("le premier novembre", "2026-11-01"), ("1 nov", "2026-11-01"),
        ("le vingt et un octobre", "2026-10-21"), ("le vingt-et-un octobre", "2026-10-21"),
        ("le dix-sept novembre", "2026-11-17"), ("3 oct", "2026-10-03"), ("le 3 ocotbre", "2026-10-03"),
        ("3 fév", "2026-02-03"), ("3 fevr.", "2026-02-03"), ("le 3 sept", "2026-09-03"), ("le 15 aout", "2026-08-15"),
        ("le 15 août", "2026-08-15"), ("14 juillet", "2026-07-14"), ("le 12", "2026-11-12"), ("le 22", "2026-11-22"),
        ("le 23", "2026-10-23"), ("le 31", "2026-10-31"), ("reçu le 30", "2026-10-30"),
        ("je l'ai reçu le 10 et on est le 22", "2026-11-10"),
        ("hier", "2026-11-21"), ("Hier soir", "2026-11-21"), ("avant-hier", "2026-11-20"), ("avant hier", "2026-11-20"),
        ("ce matin", "2026-11-22"), ("aujourd'hui", "2026-11-22"), ("aujourd hui", "2026-11-22"), ("ajd", "2026-11-22"),
        ("il y a 3 jours", "2026-11-19"), ("il y a trois jours", "2026-11-19"), ("ya 3 jours", "2026-11-19"),
        ("ça fait 3 jours", "2026-11-19"), ("il y a 3j", "2026-11-19"), ("y a 10 jours", "2026-11-12"),
        ("il y a deux semaines", "2026-11-08"), ("il y a 2 semaines", "2026-11-08"), ("il y a une semaine", "2026-11-15"),
        ("il y a un mois", "2026-10-22"), ("il y a 1 mois", "2026-10-22"), ("il y a deux mois", "2026-09-22"),
        ("il y a huit jours", "2026-11-14"), ("il y a quinze jours", "2026-11-07"),
        ("Bonjour, j'ai eu le mail il y a 4 jours", "2026-11-18"),
        ("mardi", "2026-11-17"), ("mardi dernier", "2026-11-17"), ("reçu mardi", "2026-11-17"),
        ("lundi dernier", "2026-11-16"), ("samedi", "2026-11-21"), ("dimanche", "2026-11-15"),
        ("ce dimanche", "2026-11-22"), ("vendredi", "2026-11-20"), ("mercredi", "2026-11-18"),
        ("jeudi dernier", "2026-11-19"), ("mecredi", "2026-11-18"), ("Mardi dernier je crois", "2026-11-17"),
        ("mardi de la semaine dernière", "2026-11-10"),
        ("début novembre", "2026-11-01~"), ("mi-octobre", "2026-10-10~"), ("mi octobre", "2026-10-10~"),
        ("fin octobre", "2026-10-20~"), ("la semaine dernière", "2026-11-09~"), ("la semaine derniere", "2026-11-09~"),
        ("le mois dernier", "2026-10-01~"), ("en octobre", "2026-10-01~"), ("début du mois", "2026-11-01~"),
        ("il y a quelques jours", "2026-11-15~"), ("courant octobre", "2026-10-01~"),
        ("demain", "future"), ("après-demain", "future"), ("dans 3 jours", "future"), ("le 3 décembre 2026", "future"),
        ("3/12/2026", "future"), ("mardi prochain", "future"), ("la semaine prochaine", "future"),
        ("2027-01-01", "future"),
        ("31/11", "impossible"), ("31 novembre", "impossible"), ("30 février", "impossible"),
        ("29 février", "impossible"), ("29/02/2026", "impossible"), ("32/10", "impossible"), ("31 avril", "impossible"),
        ("3/11/2019", "too_old"), ("le 3 novembre 2020", "too_old"), ("il y a 10 ans", "too_old"), ("1/1/1999", "too_old"),
        ("bonjour", "no_date"), ("je sais plus", "no_date"), ("🙂", "no_date"), ("je", "no_date"), ("ma", "no_date"),
        ("18 ans", "no_date"), ("3422", "no_date"), ("6 semaines", "no_date"), ("merci", "no_date"),
        ("a" * 500, "no_date"), ("j'ai 2 enfants", "no_date"), ("ok", "no_date"), ("?", "no_date"),
        ("appeler le 3422", "no_date"), ("mon fils a 3 ans", "no_date"), ("c'est quoi le délai de 6 semaines ?", "no_date"),
        ("1 84 12 75 123 456 78", "no_date"), ("2 84 12", "no_date"), ("284127512345678", "no_date"),
        ("mon numéro c'est 1 84 12 75 123 456 78, reçu le 5 novembre", "2026-11-05"),
        ("3/11/25", "2025-11-03"), ("le 3 novembre 2025", "2025-11-03"),
        ("3 days ago", "2026-11-19"), ("yesterday", "2026-11-21"),
    ],
    # Tuesday 5 January 2027 (year boundary)
    "2027-01-05": [
        ("3/11", "2026-11-03"), ("le 3 novembre", "2026-11-03"), ("28/12", "2026-12-28"), ("le 2 janvier", "2027-01-02"),
        ("le 6 janvier", "2026-01-06"), ("hier", "2027-01-04"), ("avant-hier", "2027-01-03"),
        ("il y a 5 jours", "2026-12-31"), ("il y a un mois", "2026-12-05"), ("il y a 2 semaines", "2026-12-22"),
        ("le 31", "2026-12-31"), ("le 5", "2027-01-05"), ("le 6", "2026-12-06"),
        ("lundi", "2027-01-04"), ("mardi", "2026-12-29"), ("vendredi dernier", "2027-01-01"), ("jeudi", "2026-12-31"),
        ("samedi", "2027-01-02"), ("la semaine dernière", "2026-12-28~"), ("le mois dernier", "2026-12-01~"),
        ("début décembre", "2026-12-01~"), ("mi-décembre", "2026-12-10~"), ("fin décembre", "2026-12-20~"),
        ("en décembre", "2026-12-01~"), ("début janvier", "2027-01-01~"),
        ("31/12/2026", "2026-12-31"), ("31/12", "2026-12-31"), ("31 déc.", "2026-12-31"), ("le 31 décembre 2026", "2026-12-31"),
        ("le 1er janvier", "2027-01-01"), ("01/01/2027", "2027-01-01"), ("le 1/1", "2027-01-01"),
        ("le courrier du 30 décembre", "2026-12-30"), ("le 24 décembre au soir", "2026-12-24"),
        ("6/1/2027", "future"), ("le 6 janvier 2027", "future"), ("demain", "future"), ("dans une semaine", "future"),
        ("3/11/26", "2026-11-03"), ("29 février", "impossible"), ("31/06", "impossible"),
    ],
    # Thursday 2 March 2028 (leap year)
    "2028-03-02": [
        ("29 février", "2028-02-29"), ("29/02", "2028-02-29"), ("le 29/02/2028", "2028-02-29"),
        ("29/02/2027", "impossible"), ("30 février", "impossible"), ("28 février", "2028-02-28"),
        ("hier", "2028-03-01"), ("avant-hier", "2028-02-29"), ("il y a 3 jours", "2028-02-28"),
        ("il y a un mois", "2028-02-02"), ("le 1er", "2028-03-01"), ("le 31", "2028-01-31"), ("le 30", "2028-01-30"),
        ("le 29", "2028-02-29"), ("mardi", "2028-02-29"), ("mercredi", "2028-03-01"), ("jeudi", "2028-02-24"),
        ("lundi dernier", "2028-02-28"), ("ce jeudi", "2028-03-02"), ("la semaine dernière", "2028-02-21~"),
        ("début février", "2028-02-01~"), ("fin février", "2028-02-20~"), ("le mois dernier", "2028-02-01~"),
        ("3 mars", "2027-03-03"), ("2 mars", "2028-03-02"), ("le 2/3", "2028-03-02"), ("le vingt-neuf février", "2028-02-29"),
        ("29 fev 2024", "2024-02-29"), ("le 29 février 2025", "impossible"),
    ],
    # Monday 1 March 2027 (after a short February)
    "2027-03-01": [
        ("29 février", "impossible"), ("28/02", "2027-02-28"), ("le 29", "2027-01-29"), ("le 30", "2027-01-30"),
        ("le 31", "2027-01-31"), ("le 1er", "2027-03-01"), ("hier", "2027-02-28"), ("il y a un mois", "2027-02-01"),
        ("samedi", "2027-02-27"), ("lundi", "2027-02-22"), ("ce lundi", "2027-03-01"), ("la semaine dernière", "2027-02-22~"),
        ("il y a 2 jours", "2027-02-27"), ("il y a 1 an", "2026-03-01"), ("le 15 février", "2027-02-15"),
        ("le 2 mars", "2026-03-02"),
    ],
    # Saturday 31 January 2026
    "2026-01-31": [
        ("le 31", "2026-01-31"), ("31/12", "2025-12-31"), ("le 1er décembre", "2025-12-01"), ("il y a un mois", "2025-12-31"),
        ("vendredi", "2026-01-30"), ("la semaine dernière", "2026-01-19~"), ("le mois dernier", "2025-12-01~"),
        ("début janvier", "2026-01-01~"), ("mi janvier", "2026-01-10~"), ("fin décembre", "2025-12-20~"),
        ("il y a 2 mois", "2025-11-30"), ("3/11/21", "2021-11-03"), ("31/12/2020", "too_old"),
        ("le 31 décembre dernier", "2025-12-31"), ("le 2 février", "2025-02-02"),
    ],
}

CASES = [(today, phrase, want) for today, rows in CORPUS.items() for phrase, want in rows]


def test_corpus_is_large_enough():
    assert len(CASES) >= 200, len(CASES)
    assert len(CORPUS) >= 4


@pytest.mark.parametrize("today,phrase,want", CASES, ids=[f"{t}|{p[:30]}" for t, p, _ in CASES])
def test_phrase(today, phrase, want):
    r = parse(phrase, date.fromisoformat(today))
    if want[0].isdigit():
        fuzzy = want.endswith("~")
        assert r.error is None, (phrase, r.error)
        assert r.understood == date.fromisoformat(want.rstrip("~")), phrase
        assert r.date == r.understood  # no letter shift here
        assert r.fuzzy is fuzzy, phrase
        assert r.approximate is (fuzzy or r.hedged), phrase  # "je crois": said approximately
        assert r.understood <= date.fromisoformat(today)
    else:
        assert r.error == want, (phrase, r.understood, r.error)
        assert r.date is None
