"""In-process counters and gauges, exposed in Prometheus text format by the health endpoint.

Labels never carry a user identifier: only backend names and kinds.
"""
from __future__ import annotations

import threading
from collections import defaultdict

_lock = threading.Lock()
_counters: dict[tuple[str, tuple], float] = defaultdict(float)
_gauges: dict[tuple[str, tuple], float] = {}


def _key(name: str, labels: dict) -> tuple[str, tuple]:
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


def reset() -> None:
    with _lock:
        _counters.clear()
        _gauges.clear()


def render() -> str:
    """Prometheus text exposition format."""
    lines = []
    with _lock:
        items = [("counter", k, v) for k, v in _counters.items()] + [("gauge", k, v) for k, v in _gauges.items()]
    seen = set()
    for typ, (name, labels), value in sorted(items, key=lambda x: (x[1][0], x[1][1])):
        metric = f"mesbot_{name}" + ("_total" if typ == "counter" else "")
        if metric not in seen:
            lines.append(f"# TYPE {metric} {typ}")
            seen.add(metric)
        lab = ",".join(f'{k}="{v}"' for k, v in labels)
        lines.append(f"{metric}{{{lab}}} {value:g}" if lab else f"{metric} {value:g}")
    return "\n".join(lines) + "\n"
