"""In-process counters and gauges, exposed in Prometheus text format by the health endpoint.

Labels never carry a user identifier: only backend names and kinds.  A label whose name is
not in :data:`ALLOWED_LABELS` is dropped (and logged once), so a careless caller cannot leak a
user or chat id into ``/metrics``.

Metric names used across the code (``mesbot_`` prefix added; counters get ``_total``):
``messages_in{backend}``, ``messages_out{backend}``, ``send_failures{backend,kind}``,
``reminders_sent``, ``reminders_pending``, ``reminders_due`` (gauges computed at scrape time by
a collector), ``broadcast_sent``, ``broadcast_failed``, ``broadcast_remaining``,
``scheduler_last_tick`` (unix time), ``scheduler_lag_seconds``, ``backend_up{backend}``.
Areas may register a collector (:func:`add_collector`) that sets gauges when ``/metrics`` is read.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from typing import Callable

ALLOWED_LABELS = frozenset(
    {"backend", "kind", "status", "ticker", "name", "reason", "state", "platform", "broadcast", "collective"}
)  # broadcast id, public campaign code: nobody's id

_lock = threading.Lock()
_counters: dict[tuple[str, tuple], float] = defaultdict(float)
_gauges: dict[tuple[str, tuple], float] = {}
_collectors: dict[str, Callable[[], None]] = {}
_warned: set[str] = set()


def _key(name: str, labels: dict) -> tuple[str, tuple]:
    bad = [k for k in labels if k not in ALLOWED_LABELS]
    if bad:
        for k in bad:
            if k not in _warned:
                _warned.add(k)
                logging.getLogger("mes_bot.metrics").warning("metric_label_dropped label=%s metric=%s", k, name)
        labels = {k: v for k, v in labels.items() if k in ALLOWED_LABELS}
    return name, tuple(sorted((k, str(v)) for k, v in labels.items()))


def inc(name: str, value: float = 1.0, **labels) -> None:
    with _lock:
        _counters[_key(name, labels)] += value


def set_gauge(name: str, value: float, **labels) -> None:
    with _lock:
        _gauges[_key(name, labels)] = float(value)


def get(name: str, **labels) -> float:
    k = _key(name, labels)
    with _lock:
        return _counters.get(k, _gauges.get(k, 0.0))


def add_collector(name: str, fn: Callable[[], None]) -> None:
    """``fn()`` runs before each render (e.g. counts reminders in the database and sets gauges).
    Registering the same name again replaces the previous collector."""
    with _lock:
        _collectors[name] = fn


def remove_collector(name: str) -> None:
    with _lock:
        _collectors.pop(name, None)


def reset() -> None:
    with _lock:
        _counters.clear()
        _gauges.clear()
        _collectors.clear()


def _escape(v: str) -> str:
    return v.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))


def render() -> str:
    """Prometheus text exposition format."""
    with _lock:
        collectors = list(_collectors.items())
    for cname, fn in collectors:
        try:
            fn()
        except Exception:
            logging.getLogger("mes_bot.metrics").exception("collector_failed name=%s", cname)
    lines = []
    with _lock:
        items = [("counter", k, v) for k, v in _counters.items()] + [("gauge", k, v) for k, v in _gauges.items()]
    seen = set()
    for typ, (name, labels), value in sorted(items, key=lambda x: (x[1][0], x[1][1])):
        metric = f"mesbot_{name}" + ("_total" if typ == "counter" else "")
        if metric not in seen:
            lines.append(f"# TYPE {metric} {typ}")
            seen.add(metric)
        lab = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
        lines.append(f"{metric}{{{lab}}} {_fmt(value)}" if lab else f"{metric} {_fmt(value)}")
    return "\n".join(lines) + "\n"
