"""The project's own fact sheet (bot/knowledge/facts.toml): sound, cited by every content page, the source of
bot/knowledge/facts.py and of /sources, and docs/facts.md generated from it."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot.knowledge import facts, factsheet
from bot.core.render import LOCALES, Renderer

ROOT = Path(__file__).resolve().parents[2]
R = Renderer()
#: areas whose every template states facts about Mon espace santé, and other such templates
CONTENT_AREAS = ("understand/", "refuse/", "after/", "children/", "others/", "questions/")
CONTENT_KEYS = {
    "deadline/result",
    "deadline/understood",
    "reminders/offer",
    "reminders/created",
    "reminders/passed",
    "deadline/passed",
    "deadline/reason_too_old",
    "deadline/help_find",
    "campaign/body_basics",
    "campaign/body_adults18",
    "campaign/body_parents",
    "campaign/body_close",
    "campaign/flyer_steps",
    "core/welcome",
    "reminders/due",
    "reminders/ics_description",
    "telegram/description",
}
#: navigation pages inside the content areas: they state no fact ({# facts: none #})
NAVIGATION = {
    "understand/topics",
    "others/start",
    "questions/greeting",
    "questions/thanks",
    "questions/unsure",
    "questions/outside",
    "questions/understood",
}


def test_the_sheet_is_sound():
    assert factsheet.problems() == []


def test_a_bad_address_or_domain_is_caught():
    assert factsheet.url_problem("https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006072665", "law") is None
    assert factsheet.url_problem("https://legifrance.gouv.fr.evil.example/x", "law")
    assert factsheet.url_problem("http://www.service-public.gouv.fr/x", "official")  # not https
    assert factsheet.url_problem("https://french-business-law.com/rench-legislation-art/article-r1111-27", "law")
    assert factsheet.url_problem("https://www.numerama.com/x", "official")  # press is not official
    assert factsheet.url_problem("https://www.numerama.com/x", "press") is None
    assert factsheet.url_problem("www.ameli.fr/x", "official")


def test_no_link_outside_the_allowed_domains_anywhere_in_the_sheet():
    text = (ROOT / "bot" / "knowledge" / "facts.toml").read_text(encoding="utf-8")
    assert "french-business-law.com" not in text
    raw = tomllib.loads(text)
    for sid, s in raw["sources"].items():
        assert factsheet.url_problem(s["url"], s["kind"]) is None, sid


def _cites(locale):
    return factsheet.citations(R.root, locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_content_page_cites_existing_facts(locale):
    known = set(factsheet.load()[0])
    cites = _cites(locale)
    for key in sorted(R.template_keys(locale)):
        content = key.startswith(CONTENT_AREAS) or key in CONTENT_KEYS
        if key in cites:
            unknown = set(cites[key]) - known
            assert not unknown, f"{locale}/{key} cites unknown facts {unknown}"
        if content and key not in NAVIGATION:
            assert cites.get(key), f"{locale}/{key} states facts: cite them in a first line {{# facts: id, id #}}"
        if key in NAVIGATION:
            assert key in cites and cites[key] == [], f"{locale}/{key}: mark it {{# facts: none #}}"


def test_a_page_that_uses_a_rule_cites_a_fact():
    """A template that prints a rule of the sheet ({{ facts.X }}) or the 3422 number states a fact: it cites it."""
    for locale in LOCALES:
        cites = _cites(locale)
        for key in R.template_keys(locale):
            src = (R.root / locale / f"{key}.j2").read_text(encoding="utf-8")
            if re.search(r"facts\.[A-Z]|3422", src):
                assert key in cites, f"{locale}/{key} uses the sheet's rules: cite the facts"


def test_english_pages_cite_the_same_facts_as_french():
    assert _cites("en") == _cites("fr")


def test_a_citation_is_a_comment_the_user_never_sees():
    for key in _cites("fr"):
        samples = _samples().get(key, [{}])
        try:
            text = R.render(key, "fr", **samples[0])
        except Exception:
            continue
        assert "facts:" not in text and not text.startswith("\n"), key


def _samples():
    import importlib

    out = {}
    for f in sorted((ROOT / "tests" / "samples").glob("samples_*.py")):
        out.update(importlib.import_module(f"tests.samples.{f.stem}").SAMPLES)
    return out


def test_rules_come_from_the_sheet():
    """bot/knowledge/facts.py holds no figure of its own: each one is the value of a fact of the sheet."""
    raw = tomllib.loads((ROOT / "bot" / "knowledge" / "facts.toml").read_text(encoding="utf-8"))["facts"]
    assert facts.OPPOSITION_DAYS == raw["window"]["value"] == 42
    assert facts.OPPOSITION_WEEKS * 7 == facts.OPPOSITION_DAYS
    assert raw["phone"]["value"]["number"] == facts.PHONE
    assert facts.PHONE_OPEN.strftime("%H:%M") == raw["phone"]["value"]["open"]
    assert facts.PHONE_CLOSE.strftime("%H:%M") == raw["phone"]["value"]["close"]
    assert raw["archive"]["value"] == facts.ARCHIVE_YEARS
    assert raw["deletion"]["value"] == facts.DELETION_MAX_MONTHS
    assert raw["insurers_never"]["value"]["fine_eur"] == facts.PENALTY_FINE_EUR
    src = (ROOT / "bot" / "knowledge" / "facts.py").read_text(encoding="utf-8")
    code = "\n".join(ln.split("#")[0] for ln in src.splitlines() if not ln.lstrip().startswith(("#", '"', "'")))
    assert not re.search(r"=\s*\d+\s*$", code, re.M), "a number written in bot/knowledge/facts.py instead of the sheet"
    assert "3422" not in code and "8, 30" not in code


def test_each_value_is_said_in_its_statement():
    """The statement and the value of a rule change together (one place in the sheet)."""
    f = factsheet.load()[0]
    assert "42 jours" in f["window"].fr and "6 semaines" in f["window"].fr
    assert f"{facts.ARCHIVE_YEARS} ans" in f["archive"].fr
    assert f"{facts.DELETION_MAX_MONTHS} mois" in f["deletion"].fr
    assert facts.PHONE in f["phone"].fr and "8 h 30" in f["phone"].fr and "17 h 30" in f["phone"].fr
    assert "15 000 €" in f["insurers_never"].fr


def test_docs_facts_md_is_up_to_date():
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "facts_doc.py"), "--check"], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr


def test_docs_facts_md_shows_every_fact_and_source():
    text = (ROOT / "docs" / "facts.md").read_text(encoding="utf-8")
    fs, srcs = factsheet.load()
    for fid in fs:
        assert f"### `{fid}`" in text
    for s in srcs.values():
        assert s.url in text


def test_the_sheet_ships_in_the_package():
    import importlib.resources

    assert importlib.resources.files("bot.knowledge").joinpath("facts.toml").is_file()
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "knowledge/facts.toml" in data["tool"]["setuptools"]["package-data"]["bot"]


def test_nothing_refers_to_files_outside_the_repository():
    paths = [
        ROOT / "README.md",
        *(ROOT / "docs").glob("*.md"),
        *(ROOT / "bot").rglob("*.py"),
        *(ROOT / "flows").glob("*.py"),
        *(ROOT / "scripts").glob("*"),
        *(ROOT / "deploy").glob("*"),
        *(p for p in (ROOT / "tests").rglob("*.py") if p.name != "test_factsheet.py" and "node_modules" not in p.parts),
    ]
    for p in paths:
        if p.is_file():
            assert "../shared" not in p.read_text(encoding="utf-8", errors="replace"), p


def test_the_readme_agrees_with_the_sheet():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"**{facts.OPPOSITION_WEEKS} weeks of the sending**" in text and facts.OPPOSITION_BASIS in text
    assert f"({facts.PHONE})" in text
    for ref in ("bot/knowledge/facts.toml", "docs/facts.md"):
        assert ref in text
    assert facts.OPPOSITION_BASIS in factsheet.load()[0]["window"].articles


@pytest.mark.parametrize("locale", LOCALES)
def test_sources_page_describes_exactly_the_official_sources(locale):
    shown = {sid for sid, _t, _u in facts.SOURCES}
    labels = {k.split(".", 1)[1][5:] for k in R.labels(locale) if k.startswith("sources.what_")}
    assert labels == shown
    kinds = {s.kind for s in factsheet.load()[1].values() if s.id in shown}
    assert kinds <= set(factsheet.official_kinds())


def test_no_message_writes_the_window_by_hand():
    """The length of the window is the sheet's value everywhere (facts.OPPOSITION_WEEKS), never typed in a page.
    (The recognizer's data, locales/<lang>/nlu/, holds what people type, "six weeks" included.)"""
    for path in R.root.rglob("*"):
        if path.suffix in (".j2", ".toml") and "nlu" not in path.relative_to(R.root).parts:
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"\b(6|six) (semaines|weeks)\b|\b42 (jours|days)\b", text), path


def test_one_change_in_the_sheet_changes_every_page(tmp_path, monkeypatch):
    """A new law (8 weeks instead of 6) is one edit of bot/knowledge/facts.toml: the rules and the pages follow."""
    import importlib

    text = (ROOT / "bot" / "knowledge" / "facts.toml").read_text(encoding="utf-8")
    changed = text.replace("value = 42\n", "value = 56\n", 1)
    assert changed != text
    (tmp_path / "facts.toml").write_text(changed, encoding="utf-8")
    monkeypatch.setattr(factsheet, "sheet_path", lambda: tmp_path / "facts.toml")
    factsheet.load.cache_clear()
    try:
        importlib.reload(facts)
        assert facts.OPPOSITION_DAYS == 56 and facts.OPPOSITION_WEEKS == 8
        page = Renderer().render("questions/window", "fr")
        assert "8 semaines" in page and "6 semaines" not in page
        from datetime import date

        from bot.domain.deadline import compute

        assert compute(date(2026, 11, 2), date(2026, 11, 3)).deadline == date(2026, 12, 28)
    finally:
        monkeypatch.undo()
        factsheet.load.cache_clear()
        importlib.reload(facts)
    assert facts.OPPOSITION_DAYS == 42
