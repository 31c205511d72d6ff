"""Every rule and figure the bot computes with, read from the project's fact sheet.

The sheet is ``bot/knowledge/facts.toml`` (readable copy: docs/facts.md); each constant below is the
``value`` of one fact there, so a change of the law is a change of one value in the sheet.
Templates read these through the ``facts`` global.
"""

from __future__ import annotations

from datetime import time

from .factsheet import first_checked, load, last_checked, value

#: Date the fact sheet was last checked (shown by /sources): the newest "checked" of the sheet.
FACTS_CHECKED = last_checked()
#: The oldest "checked" of the sheet: /sources shows the range, not one date for every fact.
FACTS_FIRST_CHECKED = first_checked()

# --- Opposition window (fact "window": CSP art. R1111-28, 6 weeks from the sending) -------------
OPPOSITION_DAYS: int = value("window")
OPPOSITION_WEEKS: int = OPPOSITION_DAYS // 7
OPPOSITION_BASIS = "R1111-28"  # article of the Code de la santé publique
#: The scheme started in 2021 (fact "scheme_start": pilot départements from 5 Aug 2021).
SCHEME_START_YEAR: int = value("scheme_start")

# --- Phone (fact "phone": service-public.gouv.fr F36151) --------------------------------------
_phone = value("phone")
PHONE: str = _phone["number"]
PHONE_OPEN = time.fromisoformat(_phone["open"])
PHONE_CLOSE = time.fromisoformat(_phone["close"])
PHONE_DAYS = tuple(_phone["days"])  # Monday..Friday
PHONE_TZ: str = _phone["tz"]  # official sources give no time zone; Paris time assumed
PHONE_COST_FR: str = _phone["cost_fr"]
VIDEO_SERVICE: str = value("deaf")

# --- Web (fact "portal") --------------------------------------------------------------------
PORTAL: str = value("portal")["name"]
PORTAL_URL: str = value("portal")["url"]

# --- After the window (facts "archive", "deletion": R1111-36) -----------------------------------
ARCHIVE_YEARS: int = value("archive")
DELETION_MAX_MONTHS: int = value("deletion")

# --- Insurers, banks, employers (fact "insurers_never": L1111-18) --------------------------------
PENALTY_PRISON_YEARS: int = value("insurers_never")["prison_years"]
PENALTY_FINE_EUR: int = value("insurers_never")["fine_eur"]

#: Sources shown by /sources: the official ones of the sheet, each once: (id, title, address).
#: What each one backs is a label "sources.what_<id>" in locales/<lang>/buttons/sources.toml.
SOURCES = [(s.id, s.title, s.url) for s in load()[1].values() if s.kind in ("law", "official")]
