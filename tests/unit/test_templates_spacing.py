"""No rendered template glues one sentence to the next."""


def test_no_sentence_glued_to_the_next_in_any_template():
    """A block tag at the end of a line eats its line break (trim_blocks): 'Il reste 3 jours.Ce jour-là'."""
    import importlib
    import pkgutil
    import re

    import tests.samples
    from bot.core.render import Renderer

    r = Renderer()
    samples = {}
    for m in pkgutil.iter_modules(tests.samples.__path__):
        if m.name.startswith("samples_"):
            samples.update(importlib.import_module(f"tests.samples.{m.name}").SAMPLES)
    glued = []
    checked = 0
    for loc in ("fr", "en"):
        for key in sorted(r.template_keys(loc)):
            for vars in samples.get(key, [{}]):
                try:
                    text = r.render(key, loc, **vars)
                except Exception:
                    continue  # templates needing variables without samples: test_templates covers them
                checked += 1
                for m in re.finditer(r"[a-zà-ü0-9»)]\.[A-ZÀ-Ü«]", text):
                    glued.append((loc, key, text[max(0, m.start() - 20) : m.end() + 10]))
    assert checked > 100
    assert not glued, glued
