"""``mes-bot`` command line.  Each sub-command lives in its own module, which defines
``configure(parser)`` (cheap: no heavy imports) and ``main(args) -> int``; the module is
imported only when its command runs, so ``mes-bot deadline`` and the console start fast.
A backend's command ``mes-bot <name>`` is ``mes-bot run`` with that backend (bot/ops/run.py),
its options declared by the backend's ``SPEC`` (bot/ops/backend_spec.py)."""

from __future__ import annotations

import argparse
import importlib
import sys

from ..infra.config import BACKENDS

COMMANDS = {
    **{name: (f"bot.backends.{name}", help_text) for name, help_text in BACKENDS.items()},
    "deadline": ("bot.ops.deadline_cli", "compute the legal deadline from a date in everyday French"),
    "run": ("bot.ops.run", "run every configured backend in one process"),
    "check": ("bot.ops.check", "validate the configuration and reachability"),
    "backup": ("bot.ops.backup", "consistent online copy of the database"),
}
#: Commands that only read the data folder: they run beside a running bot.  Every other
#: command (any backend, present or future) takes the data folder's lock (bot/infra/datalock.py).
READ_ONLY = {"check", "backup", "deadline"}
# Exit codes: 0 done, 1 failed while running, 2 configuration, 3 data folder in use by another
# mes-bot, 4 database unusable (damaged, read-only, disk full), 5 messaging service unreachable.
EXIT_STORAGE = 4
EXIT_UNREACHABLE = 5


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mes-bot", description="Mon espace santé helper bot")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module, _backend=None)
        try:
            mod = _args_module(module)
        except ModuleNotFoundError:
            mod = None
        if name in BACKENDS and mod is not None and "SPEC" in vars(mod):
            # a backend that declares its SPEC: `mes-bot <name>` is `mes-bot run` with it alone
            from .run import configure_backend

            configure_backend(p, name)
            p.set_defaults(_module="bot.ops.run", _backend=name)
        elif mod is not None and hasattr(mod, "configure"):
            mod.configure(p)  # a command of its own (the console keeps its terminal start-up)
    return parser


def _args_module(module: str):
    """Import the command module (its top level must stay light)."""
    return importlib.import_module(module)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from .. import __version__

        print(f"mes-bot {__version__}")
        return 0
    if not args.command:
        parser.print_help()
        return 2
    mod = importlib.import_module(args._module)
    from ..infra import datalock
    from ..infra.config import ConfigError

    datalock.required = args.command not in READ_ONLY
    try:
        return int(mod.main(args) or 0)
    except ConfigError as e:
        print(f"mes-bot: configuration error: {e}", file=sys.stderr)
        return 2
    except datalock.DataFolderBusy as e:
        print(f"mes-bot: {e}", file=sys.stderr)
        return datalock.EXIT_BUSY
    except BrokenPipeError:  # `mes-bot … | head`: the reader went away; end quietly
        # (caught before the storage check below: a broken pipe is an OSError too)
        from ..infra.pipes import EXIT_BROKEN_PIPE, silence_stdout

        silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as e:
        from ..infra import health_state

        if not health_state.is_storage_error(e):
            raise
        kind = health_state.classify(e)  # one line and an exit code, never a traceback
        print(f"mes-bot: cannot start: {health_state.HINTS[kind]} ({type(e).__name__}: {e})", file=sys.stderr)
        return EXIT_STORAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
