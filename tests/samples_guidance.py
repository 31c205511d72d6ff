"""Sample variables for the guidance templates (understand, refuse, after, children, others,
sources, questions)."""

_PHONE = {"next_date": None, "next_time": None, "next_is_today": False, "next_is_tomorrow": False, "abroad": False}

SAMPLES = {
    "refuse/phone": [
        dict(_PHONE, status="open"),
        dict(_PHONE, status="closed", next_date="2026-12-28", next_time="08:30"),
        dict(_PHONE, status="closed", next_date="2026-11-24", next_time="08:30", next_is_tomorrow=True),
        dict(_PHONE, status="closed", next_date="2026-11-23", next_time="08:30", next_is_today=True, abroad=True),
        dict(_PHONE, status="unknown"),
    ],
    "sources/list": [
        {"items": [("Code de la santé publique, art. R1111-28", "délai de 6 semaines à compter de l'envoi")],
         "page": 1, "pages": 1, "checked": "2026-05-31"},
        {"items": [("Service-public.fr, fiche F36151", "démarches, 3422, horaires"),
                   ("ameli.fr, Mon espace santé pour votre enfant", "profil de l'enfant")],
         "page": 2, "pages": 3, "checked": "2026-05-31"},
    ],
}
