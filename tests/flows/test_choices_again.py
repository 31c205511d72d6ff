"""Every "not understood" shows the current choices again, and typing their number still works; with
no choice on offer, it does not point "below"."""

from tests.support.harness import Chat, make_app


def _labels(chat):
    return [b.label for r in chat.last for b in r.flat_buttons()]


async def test_deadline_screen_shows_its_choices_under_not_understood(tmp_path):
    app, backend, _clock = make_app(tmp_path)
    chat = Chat(app, backend)
    await chat.start()
    await chat.say("reçu le 3 novembre")
    assert chat.keys == ["deadline/result"]
    choices = _labels(chat)
    assert choices
    await chat.say("xqzw blorp")
    assert chat.keys == ["core/not_understood"]
    assert "ci-dessous" in chat.text and _labels(chat) == choices
    # again: still there, and a typed number picks from them
    await chat.say("blorp encore")
    assert _labels(chat) == choices
    await chat.say(str(choices.index("Fichier pour mon agenda") + 1))
    assert [r for r in chat.last if r.attachment and r.attachment.filename.endswith(".ics")]


async def test_english_and_buttons_that_still_answer_their_state(tmp_path):
    app, backend, _clock = make_app(tmp_path)
    chat = Chat(app, backend, locale="en")
    await chat.start()
    await chat.say("received on 3 November")
    assert chat.keys == ["deadline/result"]
    choices = _labels(chat)
    await chat.say("xqzw")
    assert "below" in chat.text and _labels(chat) == choices
    await chat.press("calendar")
    assert [r for r in chat.last if r.attachment]


async def test_no_below_when_there_is_nothing_below(tmp_path):
    app, backend, _clock = make_app(tmp_path)
    chat = Chat(app, backend)
    await chat.start()
    await chat.say("reçu le 3 novembre")
    s = app.store.get_session(chat._event().session_key)
    s.data.pop("_buttons", None)  # as after a message without buttons
    s.data.pop("_rows", None)
    app.store.save_session(s)
    await chat.say("xqzw blorp")
    assert chat.keys == ["core/not_understood"]
    assert "ci-dessous" not in chat.text and "/menu" in chat.text
    assert _labels(chat) == []


async def test_a_state_whose_prompt_has_buttons_shows_them_once(tmp_path):
    app, backend, _clock = make_app(tmp_path)
    chat = Chat(app, backend)
    await chat.start()
    menu = _labels(chat)
    await chat.say("xqzw blorp")
    assert "core/not_understood" in chat.keys and "ci-dessous" in chat.text
    assert _labels(chat) == menu  # the menu's own prompt, not a second copy
