"""The deadline conversation, driven through the real router, store and templates."""

import re


from tests.support.harness import Chat, session_data


async def test_first_message_is_a_date(chat, env):
    app, _, _ = env
    await chat.say("j'ai reçu le mail le 3 novembre")
    assert chat.keys[0] == "deadline/result"
    t = chat.text
    assert "mardi 3 novembre 2026" in t  # understood date in full
    assert "mardi 15 décembre 2026" in t  # 3 Nov + 42 days
    assert "jeudi 10 décembre 2026" in t  # recommended: 5 days of margin, a working day
    assert "dans 23 jours" in t
    assert not re.search(r"[a-z]\.[A-Z]", t), t  # no sentences glued together
    labels = chat.labels
    for want in ("Refuser en ligne", "Refuser par téléphone", "Recevoir des rappels", "Fichier pour mon agenda"):
        assert want in labels
    assert session_data(app, chat)["deadline"] == {
        "sent": "2026-11-03",
        "deadline": "2026-12-15",
        "recommended": "2026-12-10",
        "approximate": False,
    }


async def test_menu_button_then_email_then_date(chat):
    await chat.say("bonjour")
    await chat.press("mail ou le courrier")
    assert chat.keys == ["deadline/ask_kind"]
    await chat.press("Un mail")
    assert chat.keys == ["deadline/ask_date"]
    await chat.say("je sais plus")
    assert chat.keys == ["deadline/error_no_date"]
    assert "Assurance Maladie" in chat.text
    await chat.say("12")  # a bare day is enough when the bot asked for the date
    assert chat.keys[0] == "deadline/result"
    assert "jeudi 12 novembre 2026" in chat.text


async def test_letter_arrival_shifts_and_says_approximate(chat, env):
    app, _, _ = env
    await chat.say("/menu")
    await chat.press("mail ou le courrier")
    await chat.press("Un courrier")
    assert chat.keys == ["deadline/ask_letter"]
    await chat.press("seulement quand il est arrivé")
    await chat.say("hier")
    t = chat.text
    assert "samedi 21 novembre 2026" in t  # what the user said
    assert "4 jours plus tôt" in t and "mardi 17 novembre 2026" in t
    assert "estimation" in t and "(environ)" in t
    d = session_data(app, chat)["deadline"]
    assert d["sent"] == "2026-11-17" and d["deadline"] == "2026-12-29" and d["approximate"] is True


async def test_letter_arrival_detected_from_the_words(chat):
    await chat.say("Bonjour, le courrier est arrivé il y a 4 jours")
    assert chat.keys[0] == "deadline/result"
    assert "mercredi 18 novembre 2026" in chat.text and "samedi 14 novembre 2026" in chat.text


async def test_printed_letter_date_is_not_shifted(chat):
    await chat.say("/menu")
    await chat.press("mail ou le courrier")
    await chat.press("Un courrier")
    await chat.press("Je vois la date")
    await chat.say("le 5 novembre")  # the user chose "printed date": no shift
    assert "jeudi 5 novembre 2026" in chat.text
    assert "plus tôt" not in chat.text
    await chat.say("non, le courrier est arrivé le 5 novembre")  # words saying it arrived: counted earlier
    assert "jeudi 5 novembre 2026" in chat.text and "4 jours plus tôt" in chat.text


async def test_date_in_the_middle_of_another_flow(chat, env):
    app, _, _ = env
    await chat.say("/langue")
    assert "menu/language" in chat.keys
    await chat.say("il y a deux semaines")
    assert chat.keys[0] == "deadline/result"
    assert "dimanche 8 novembre 2026" in chat.text


async def test_passed_deadline_offers_after_path(chat):
    await chat.say("le 3 septembre")
    assert chat.keys[0] == "deadline/passed"
    assert "jeudi 3 septembre 2026" in chat.text
    assert "le fermer à tout moment" in chat.text and "le garder" in chat.text
    assert "pas grave" not in chat.text
    assert any("Fermer mon espace" in label for label in chat.labels)
    assert any("Le garder" in label for label in chat.labels) and any("Comprendre" in label for label in chat.labels)
    assert "Refuser en ligne" not in chat.labels


async def test_buttons_go_to_reminders_with_the_contract(chat, env):
    app, _, _ = env
    await chat.say("le 3 novembre")
    payloads = {b.label: b.payload for r in chat.last for b in r.flat_buttons()}
    assert all(len(p.encode()) <= 64 for p in payloads.values())  # fits Telegram callback data
    await chat.say("/menu")  # clears the session data
    assert "deadline" not in session_data(app, chat)
    # the button of the earlier answer still works: it carries the sending date
    await chat.send_event(kind="button", choice=payloads["Recevoir des rappels"])
    d = session_data(app, chat)["deadline"]
    assert d == {"sent": "2026-11-03", "deadline": "2026-12-15", "recommended": "2026-12-10", "approximate": False}
    assert "deadline/result" not in chat.keys


async def test_errors_are_explained(chat):
    await chat.say("31/11")
    assert chat.keys == ["deadline/error_impossible"]
    assert "31 novembre n'existe pas" in chat.text
    await chat.say("29 février 2027")
    assert "bissextile" in chat.text
    await chat.say("demain")
    assert chat.keys == ["deadline/error_future"]
    await chat.say("le 3/11/2019")
    assert chat.keys == ["deadline/error_too_old"]


async def test_sensitive_number_is_never_read_as_a_date(chat):
    await chat.say("1 84 12 75 123 456 78")
    assert "core/privacy_warning" in chat.keys
    assert not any(k.startswith("deadline/result") for k in chat.keys)
    assert "1984" not in chat.text and "84 12" not in chat.text


async def test_timezone_command_changes_today(env, tmp_path):
    app, backend, clock = env
    from datetime import datetime

    clock.set(datetime.fromisoformat("2026-11-22T22:30:00+00:00"))  # 23:30 in Paris, 09:30 on the 23rd in Nouméa
    c = Chat(app, backend, user="tz1")
    await c.say("hier")
    assert "samedi 21 novembre 2026" in c.text
    await c.say("/fuseau")
    assert c.keys == ["deadline/tz_choose"]
    assert "France métropolitaine" in c.text
    await c.press("Nouvelle-Calédonie")
    assert app.store.get_user("fake:tz1").tz == "Pacific/Noumea"
    await c.say("hier")
    assert "dimanche 22 novembre 2026" in c.text  # "today" is now counted in Nouméa
    await c.say("/timezone")
    assert "Nouvelle-Calédonie" in c.text


async def test_english(chat):
    await chat.say("/langue en")
    await chat.say("3 November")
    assert chat.keys[0] == "deadline/result"
    assert "Tuesday 3 November 2026" in chat.text
    assert "Refuse online" in chat.labels
