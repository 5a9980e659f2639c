"""diplowatch command line: ``python -m streams <command> --help``.

Each command lives in its own module under streams/commands/ exposing ``add_arguments(parser)``
and ``run(args) -> int``; modules are imported only when their command runs, so ``extract`` does
not pay for Faust and ``worker`` does not pay for the evaluation tools.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "demo": "run the main job: local broker, worker, replay of real articles, contacts and alerts printed",
    "worker": "run the Faust worker (the streaming pipeline)",
    "extract": "extract contacts from articles: JSONL on stdin, contacts JSONL on stdout",
    "evaluate": "score contacts against a gold file (precision, recall, F1, mode/date/topic accuracy)",
    "replay": "send articles from a JSONL file to the input topic",
    "alerts": "follow the alert topic and print alerts",
    "notify": "POST each new alert and update to a webhook (Slack-compatible), with retries and no resends",
    "backtest": "run aggregation and spike detection offline: contacts JSONL in, alerts JSONL out",
    "kafka": "start a local Apache Kafka (KRaft) and print its bootstrap address until Ctrl-C",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m streams", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    argv = sys.argv[1:] if argv is None else argv
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, help_text in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:  # import only the module of the command being run
            module = importlib.import_module(f"streams.commands.{name}")
            module.add_arguments(p)
            p.set_defaults(_run=module.run)
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    return int(args._run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
