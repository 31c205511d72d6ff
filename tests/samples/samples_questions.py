"""Sample variables for the questions templates (the understood topic shown above an answer)."""

SAMPLES = {
    "questions/understood": [
        {"topic": "Mon médecin traitant", "others": True},
        {"topic": "Le 3422 : horaires et prix", "others": False},
    ],
}
