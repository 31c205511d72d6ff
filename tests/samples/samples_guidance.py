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
        {
            "items": [
                (
                    "Code de la santé publique (Légifrance)",
                    "Ouverture, délai de 6 semaines, contenu",
                    "https://www.legifrance.gouv.fr/codes/texte_lc/LEGITEXT000006072665",
                )
            ],
            "page": 1,
            "pages": 1,
            "checked": "2026-11-30",
            "first_checked": "2022-01-01",
        },
        {
            "items": [
                (
                    "Service-public.gouv.fr, fiche F36151",
                    "Démarches, 3422 et horaires",
                    "https://www.service-public.gouv.fr/particuliers/vosdroits/F36151",
                ),
                (
                    "ameli.fr, Mon espace santé pour votre enfant",
                    "Espace de l'enfant",
                    "https://www.ameli.fr/assure/sante/mon-espace-sante/mon-espace-sante-enfant-carnet-sante-numerique",
                ),
            ],
            "page": 2,
            "pages": 3,
            "checked": "2026-11-30",
            "first_checked": "2022-01-01",
        },
    ],
    "sources/last": [{"pages": 6}],
    "questions/greeting": [{"first": True}, {"first": False}],
}
