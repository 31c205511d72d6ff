"""Web backend benchmark: N concurrent conversations against one ``mes-bot web`` process, and the
same load against a bare aiohttp JSON echo endpoint (the baseline: what the HTTP layer alone costs).

    python bench/web.py [--conversations 500] [--turns 6] [--think 10] [--data-parent DIR]

Each conversation opens (``/api/start``), then plays a real path: the menu button "J'ai reçu…", a
typed date, the calendar download, "/menu", "Je veux comprendre"…, ``--turns`` requests in all,
waiting a random think time (uniform 0..2×``--think`` s; a person reads the answer, then taps or
types: 10 s on average is brisk) between turns, i.e. about N/think turns per second offered.
All conversations run at once.  Prints, for the bot and the baseline: p50/p99 reply latency, server
CPU seconds per 1,000 turns (from /proc), and server RSS per open idle conversation (RSS with the
N conversations open and their connections closed, minus RSS before).  Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_bytes(pid: int) -> int:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE


# -- the baseline: a bare aiohttp endpoint that echoes a small JSON reply ------------------------------
def echo_server(port: int) -> None:
    from aiohttp import web

    async def start(request):
        await request.read()
        return web.json_response(
            {
                "token": os.urandom(24).hex(),
                "replies": [{"text": "x" * 300, "buttons": [[{"label": "J'ai reçu", "payload": "g:deadline:start"}]]}],
            }
        )

    async def message(request):
        body = await request.json()
        return web.json_response(
            {
                "replies": [
                    {
                        "text": "x" * 300,
                        "buttons": [
                            [
                                {"label": "J'ai reçu", "payload": "g:deadline:start"},
                                {
                                    "label": "Télécharger pour mon agenda",
                                    "payload": "g:reminders:ics",
                                    "download": True,
                                },
                                {"label": "Je veux comprendre", "payload": "g:understand:start"},
                            ]
                        ],
                    }
                ],
                "echo": len(str(body)),
            }
        )

    app = web.Application()
    app.router.add_post("/api/start", start)
    app.router.add_post("/api/message", message)
    app.router.add_get("/", lambda r: web.Response(text="ok"))
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def spawn(kind: str, port: int, data_dir: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "MESBOT_WEB_RATE_ADDRESS_PER_MIN": "10000000",
        "MESBOT_WEB_MAX_CONVERSATIONS": "100000",
        "MESBOT_WEB_RATE_CONVERSATION_PER_MIN": "100000",
        "MESBOT_LOG_LEVEL": "INFO",
        "PYTHONPATH": str(ROOT),
    }
    if kind == "bot":
        cmd = [sys.executable, "-m", "bot", "web", "--host", "127.0.0.1", "--port", str(port), "--data-dir", data_dir]
    else:
        cmd = [sys.executable, __file__, "--echo-server", str(port)]
    return subprocess.Popen(cmd, env=env, cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def wait_up(http, base: str) -> None:
    for _ in range(200):
        try:
            async with http.get(base + "/") as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        await asyncio.sleep(0.05)
    raise RuntimeError("server did not start")


def pick(data: dict, want: str) -> dict | None:
    buttons = [b for r in data.get("replies", []) for row in r.get("buttons", []) for b in row if "payload" in b]
    for b in buttons:
        if want.lower() in b["label"].lower():
            return {"choice": b["payload"]}
    return None


SCRIPT = [
    ("press", "J'ai reçu"),
    ("text", "reçu le 20 novembre"),
    ("press", "Télécharger"),
    ("text", "/menu"),
    ("press", "Je veux comprendre"),
    ("text", "c'est quoi mon espace santé ?"),
    ("text", "/menu"),
    ("press", "J'ai reçu"),
    ("text", "le courrier est arrivé il y a 4 jours"),
    ("press", "Télécharger"),
]


async def conversation(http, base: str, turns: int, think: float, rnd: random.Random, lat: list, opened, go):
    headers = {"Origin": base, "Content-Type": "application/json"}

    async def post(path, body):
        t0 = time.perf_counter()
        async with http.post(base + path, data=json.dumps(body), headers=headers) as r:
            data = await r.json()
            if r.status != 200:
                raise RuntimeError(f"{path}: HTTP {r.status}")
        lat.append(time.perf_counter() - t0)
        return data

    data = await post("/api/start", {"lang": "fr"})
    token = data["token"]
    data = await post("/api/message", {"token": token, "text": "bonjour"})
    opened()
    await go.wait()
    for i in range(turns):
        await asyncio.sleep(rnd.uniform(0, 2 * think))
        kind, arg = SCRIPT[i % len(SCRIPT)]
        body = (pick(data, arg) if kind == "press" else None) or {"text": arg}
        data = await post("/api/message", {"token": token, **body})


DATA_PARENT = None  # where the server's data folder goes (--data-parent; default: the temp folder)


async def measure(kind: str, n: int, turns: int, think: float) -> dict:
    import aiohttp

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(dir=DATA_PARENT) as data_dir:
        proc = spawn(kind, port, data_dir)
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
                await wait_up(http, base)
                # warm-up: templates, date parser, SQLite pages
                warm = []
                ev = asyncio.Event()
                ev.set()
                await asyncio.gather(
                    *(
                        conversation(http, base, len(SCRIPT), 0, random.Random(i), warm, lambda: None, ev)
                        for i in range(5)
                    )
                )
            lat: list[float] = []
            count = [0]
            all_open = asyncio.Event()
            go = asyncio.Event()

            def opened():
                count[0] += 1
                if count[0] == n:
                    all_open.set()

            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
                rnd = random.Random(42)
                tasks = [
                    asyncio.create_task(
                        conversation(http, base, turns, think, random.Random(rnd.random()), lat, opened, go)
                    )
                    for _ in range(n)
                ]
                await asyncio.wait_for(all_open.wait(), 120)
                lat.clear()  # the opening burst is not the steady state
                cpu0, t0 = cpu_seconds(proc.pid), time.perf_counter()
                go.set()
                await asyncio.gather(*tasks)
                cpu1, t1 = cpu_seconds(proc.pid), time.perf_counter()
            return {"lat": lat, "cpu": cpu1 - cpu0, "wall": t1 - t0, "turns": len(lat)}
        finally:
            proc.terminate()
            proc.wait(10)


async def idle_rss(kind: str, n: int) -> tuple[int, int]:
    """RSS before, and with ``n`` conversations opened (start + one message) then idle, connections closed."""
    import aiohttp

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(dir=DATA_PARENT) as data_dir:
        proc = spawn(kind, port, data_dir)
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
                await wait_up(http, base)
                ev = asyncio.Event()
                ev.set()
                await asyncio.gather(
                    *(
                        conversation(http, base, len(SCRIPT), 0, random.Random(i), [], lambda: None, ev)
                        for i in range(20)
                    )
                )
            await asyncio.sleep(1.0)
            before = rss_bytes(proc.pid)
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=50)) as http:
                await asyncio.gather(*(_open_only(http, base) for _ in range(n)))
            await asyncio.sleep(1.0)
            return before, rss_bytes(proc.pid)
        finally:
            proc.terminate()
            proc.wait(10)


async def _open_only(http, base: str) -> None:
    headers = {"Origin": base, "Content-Type": "application/json"}
    async with http.post(base + "/api/start", data='{"lang": "fr"}', headers=headers) as r:
        token = (await r.json())["token"]
    async with http.post(
        base + "/api/message", data=json.dumps({"token": token, "text": "bonjour"}), headers=headers
    ) as r:
        await r.read()


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] * 1000


async def main_async(args) -> int:
    rows = {}
    for kind in ("baseline", "bot"):
        m = await measure(kind, args.conversations, args.turns, args.think)
        before, after = await idle_rss(kind, args.conversations)
        rows[kind] = {
            "p50": pct(m["lat"], 50),
            "p99": pct(m["lat"], 99),
            "turns": m["turns"],
            "rate": m["turns"] / m["wall"],
            "cpu_per_1000": m["cpu"] / m["turns"] * 1000,
            "rss_per_conv": (after - before) / args.conversations,
            "rss": after,
        }
    print(
        f"web bench: {args.conversations} concurrent conversations, {args.turns} turns each, think time "
        f"uniform 0-{2 * args.think:g} s (up to about {args.conversations / args.think:.0f} turns/s), loopback, "
        f"one server process, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, database in "
        f"{DATA_PARENT or tempfile.gettempdir()}"
    )
    print(
        f"{'':10} {'turns':>6} {'turns/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU s/1000 turns':>17} "
        f"{'RSS/idle conv':>14} {'RSS MB':>7}"
    )
    for kind, r in rows.items():
        print(
            f"{kind:10} {r['turns']:6d} {r['rate']:8.1f} {r['p50']:8.1f} {r['p99']:8.1f} {r['cpu_per_1000']:17.2f} "
            f"{r['rss_per_conv'] / 1024:11.1f} KB {r['rss'] / 2**20:7.1f}"
        )
    bot = rows["bot"]
    ok = bot["p99"] <= 100 and bot["rss_per_conv"] <= 20 * 1024
    print(
        f"bounds: p99 <= 100 ms: {'ok' if bot['p99'] <= 100 else 'FAIL'}; "
        f"<= 20 KB per idle conversation: {'ok' if bot['rss_per_conv'] <= 20 * 1024 else 'FAIL'}"
    )
    return 0 if ok else 1


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--echo-server":
        echo_server(int(sys.argv[2]))
        return 0
    sys.path.insert(0, str(ROOT))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--conversations", type=int, default=500)
    p.add_argument("--turns", type=int, default=6)
    p.add_argument("--think", type=float, default=10.0, help="mean seconds between two turns of one conversation")
    p.add_argument("--data-parent", help="folder for the server's database (e.g. /dev/shm to leave the disk out)")
    args = p.parse_args()
    global DATA_PARENT
    DATA_PARENT = args.data_parent
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
