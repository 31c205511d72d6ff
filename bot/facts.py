"""Every rule and figure the bot states, in one place, each with its source.

Source of truth: ../shared/facts.md (newest source behind it: May 2026).  A change of
law is a one-line change here.  Templates read these through the ``facts`` global.
"""
from __future__ import annotations

from datetime import time

#: Date the fact sheet was last checked (shown by /sources).
FACTS_CHECKED = "2026-05-31"

# --- Opposition window -------------------------------------------------------
#: CSP art. R1111-28: "A l'issue d'un délai de six semaines à compter de l'envoi du courrier
#: d'information ... l'espace numérique de santé est ouvert" -> last day = sending + 42 days.
OPPOSITION_DAYS = 42
OPPOSITION_BASIS = "R1111-28"  # article of the Code de la santé publique
#: The scheme started in 2021 (pilot départements from 5 Aug 2021; décret 2021-1048).
SCHEME_START_YEAR = 2021

# --- Phone ---------------------------------------------------------------------
#: SP-2025 (service-public.gouv.fr F36151, Dec 2025): 3422, Monday-Friday 8:30-17:30,
#: "service gratuit + prix de l'appel". Closed on French public holidays (treated as closed).
PHONE = "3422"
PHONE_OPEN = time(8, 30)
PHONE_CLOSE = time(17, 30)
PHONE_DAYS = (0, 1, 2, 3, 4)  # Monday..Friday
PHONE_TZ = "Europe/Paris"      # official sources give no time zone; mainland time assumed
PHONE_COST_FR = "service gratuit + prix de l'appel"
VIDEO_SERVICE = "monespacesante.elioz.fr"

# --- Web -------------------------------------------------------------------------
PORTAL = "monespacesante.fr"
PORTAL_URL = "https://www.monespacesante.fr"

# --- After the window (R1111-36; SP-2025) ---------------------------------------------
ARCHIVE_YEARS = 10
DELETION_MAX_MONTHS = 3

# --- Insurers, banks, employers (L1111-18) ------------------------------------------------
PENALTY_PRISON_YEARS = 1
PENALTY_FINE_EUR = 15000

#: Sources shown by /sources: (id, short name, address).  What each one backs is a label
#: "sources.what_<id>" in locales/<lang>/buttons/sources.toml (French and English).
SOURCES = [
    ("r1111_28", "Code de la santé publique, art. R1111-28",
     "https://french-business-law.com/french-legislation-art/article-r1111-28-of-the-french-public-health-code"),
    ("l1111_13_1", "Code de la santé publique, art. L1111-13-1",
     "https://www.legifrance.gouv.fr/codes/id/LEGIARTI000038886977/2022-01-01/"),
    ("r1111_36", "Code de la santé publique, art. R1111-36",
     "https://french-business-law.com/french-legislation-art/article-r1111-36-of-the-french-public-health-code"),
    ("l1111_16", "Code de la santé publique, art. L1111-16",
     "https://french-business-law.com/french-legislation-art/article-l1111-16-of-the-french-public-health-code"),
    ("l1111_17", "Code de la santé publique, art. L1111-17",
     "https://french-business-law.com/french-legislation-art/article-l1111-17-of-the-french-public-health-code"),
    ("r1111_48", "Code de la santé publique, art. R1111-48",
     "https://french-business-law.com/rench-legislation-art/article-r1111-48-of-the-french-public-health-code"),
    ("l1111_18", "esante.gouv.fr, FAQ banques et mutuelles (art. L1111-18)",
     "https://esante.gouv.fr/faq/les-banques-ou-les-mutuelles-peuvent-elles-acceder-mon-espace-sante-leurs-medecins-conseil"),
    ("l1111_19", "Code de la santé publique, art. L1111-19",
     "https://french-business-law.com/french-legislation/legiscta000006125345-legiscta000006140603-book-i-health-protection-for-individuals/page/6"),
    ("r1111_27", "Code de la santé publique, art. R1111-27",
     "https://french-business-law.com/rench-legislation-art/article-r1111-27-of-the-french-public-health-code"),
    ("sp_f36151", "Service-public.fr, fiche F36151 (modifiée le 31/12/2025)",
     "https://www.service-public.gouv.fr/particuliers/vosdroits/F36151"),
    ("ameli_enfant", "ameli.fr, Mon espace santé pour votre enfant",
     "https://www.ameli.fr/assure/sante/mon-espace-sante/mon-espace-sante-enfant-carnet-sante-numerique"),
]
