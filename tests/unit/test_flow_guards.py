"""Guards declared on states, enforced by the flow library (bot/core/flowlib.py): a state whose
steps hold no check of their own cannot be reached by someone its guard refuses, whichever way
she arrives (a button of an old message, a declared transition, typed text in a stored
conversation).  Also the table forms (``Choices``, ``Go``) and the older names (``RENAMED``)."""

import pytest

from bot.core.flowlib import END, Choice, Choices, Flow, Go, Guard, Say, State, Turn
from bot.store.core import Session
from tests.support.harness import Chat, make_app

PLACE = "-1"


def probe(calls: list) -> Flow:
    """A flow with an open state and a guarded one whose steps only record that they ran."""

    async def only_admins(ctx, payload):
        if await ctx.app.is_admin(ctx.event, PLACE):
            ctx.guarded = PLACE
            return None
        return Turn([Say("campaign/refused")], goto=END, clear=True)

    def prompt(ctx):
        calls.append(("prompt", ctx.guarded))
        return Say("menu/language", buttons=[[Choice("menu.lang_fr", "x")]])

    def choice(ctx, payload):
        calls.append(("choice", payload))
        return Turn([Say("core/cancelled")])

    def text(ctx, typed):
        calls.append(("text", typed))
        return Turn([Say("core/cancelled")])

    return Flow(
        "probe",
        {
            "open": State(
                prompt=Say("menu/language", buttons=[[Choice("menu.lang_fr", "in")]]), on_choice={"in": "probe:secret"}
            ),
            "secret": State(
                prompt=prompt,
                on_choice=Choices({"x": choice}),
                on_text=text,
                free_text=True,
                guard=Guard("admin", only_admins),
            ),
        },
        start="open",
        personal=False,
    )


@pytest.fixture
def probed(tmp_path):
    app, backend, clock = make_app(tmp_path)
    calls: list = []
    app.router.reg.flows["probe"] = probe(calls)
    app.router.reg.renamed["probe:hidden"] = "probe:secret"  # as a flow module's RENAMED
    yield app, backend, calls
    app.store.close()


async def test_a_forged_button_of_a_guarded_state_runs_none_of_its_steps(probed):
    app, backend, calls = probed
    member = Chat(app, backend, user="member")
    await member.send_event(kind="button", choice="probe:secret:x")
    assert member.keys == ["campaign/refused"]
    assert calls == []


async def test_a_declared_transition_into_a_guarded_state_is_refused(probed):
    app, backend, calls = probed
    member = Chat(app, backend, user="member")
    await member.send_event(kind="button", choice="probe:open:in")
    assert member.keys == ["campaign/refused"]
    assert calls == []


async def test_typed_text_in_a_stored_conversation_at_a_guarded_state_is_refused(probed):
    app, backend, calls = probed
    member = Chat(app, backend, user="member")
    await member.say("bonjour")  # she exists; then her conversation is left at the state
    app.store.save_session(Session("fake:member:member", "fake:member", "probe", "secret", {}))
    await member.say("un texte")
    assert "campaign/refused" in member.keys
    assert calls == []


async def test_the_guard_lets_an_admin_through_and_hands_its_finding_to_the_steps(probed):
    app, backend, calls = probed
    backend.admins.add(("admin", PLACE))
    admin = Chat(app, backend, user="admin")
    await admin.send_event(kind="button", choice="probe:open:in")
    assert admin.keys == ["menu/language"] and calls == [("prompt", PLACE)]
    await admin.press(1)
    assert calls[-1] == ("choice", "x") and "core/cancelled" in admin.keys
    await admin.say("un texte")
    assert calls[-1] == ("text", "un texte")


async def test_older_state_names_reach_todays_state_through_the_same_guard(probed):
    app, backend, calls = probed
    member = Chat(app, backend, user="member")
    await member.send_event(kind="button", choice="probe:hidden:x")  # a button of an older release
    assert member.keys == ["campaign/refused"] and calls == []
    await member.send_event(kind="button", choice="g:probe:hidden")  # an older "go to" button
    assert member.keys == ["campaign/refused"] and calls == []
    backend.admins.add(("member", PLACE))
    await member.send_event(kind="button", choice="probe:hidden:x")
    assert calls == [("choice", "x")]
    app.store.save_session(Session("fake:member:member", "fake:member", "probe", "hidden", {}))
    await member.say("encore")  # a conversation stored by it
    assert calls[-1] == ("text", "encore")
    assert app.store.get_session("fake:member:member").state == "secret"


async def test_choices_read_verbs_older_payloads_and_declared_steps():
    seen = []

    def step(ctx, payload):
        seen.append(payload)
        return Turn([Say("core/cancelled")])

    table = Choices(
        {
            "pause": step,
            "menu": "campaign:menu",
            "keep": Go("x:y", lambda ctx, p: {"k": p}),
            "say": Go("x:z", lambda ctx, p: [Say("core/cancelled")]),
            "refuse": Go("x:y", lambda ctx, p: Turn([Say("campaign/refused")])),
        },
        renamed=lambda p: "pause." + p[1:] if p.startswith("p") and p[1:].isdigit() else p,
    )
    assert (await table(None, "pause.12")).say[0].key == "core/cancelled" and seen == ["pause.12"]
    await table(None, "p13")
    assert seen[-1] == "pause.13"  # an older payload, renamed
    assert (await table(None, "menu")).goto == "campaign:menu"
    kept = await table(None, "keep")
    assert (kept.goto, kept.data) == ("x:y", {"k": "keep"})
    said = await table(None, "say")
    assert said.goto == "x:z" and said.say[0].key == "core/cancelled"
    refused = await table(None, "refuse")
    assert refused.goto is None and refused.say[0].key == "campaign/refused"  # the step decided otherwise
    assert await table(None, "unknown") is None
