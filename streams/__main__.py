"""diplowatch command line: ``python -m streams <command> --help``.

Each command lives in its own module under streams/commands/ exposing ``add_arguments(parser)``
and ``run(args) -> int``; modules are imported only when their command runs, so ``extract`` does
not pay for Faust and ``worker`` does not pay for the evaluation tools. A user's mistake is raised
as ``streams.commands.common.CommandError`` and printed here as one line, with its exit code.
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
    "counts": "a pair's distinct contacts per week or day from a worker's API, as CSV or JSON lines",
    "backtest": "run aggregation and spike detection offline: contacts JSONL in, alerts JSONL out",
    "kafka": "start a local Apache Kafka (KRaft) and print its bootstrap address until Ctrl-C",
}


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error: what is wrong and where the help is, without the usage
    block (``--help`` prints that)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m streams", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
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
    from streams.commands.common import CommandError
    from streams.knowledge.loader import KnowledgeError

    try:
        return int(args._run(args) or 0)
    except CommandError as exc:
        print(f"{args.command}: {exc}", file=sys.stderr)
        return exc.code
    except KnowledgeError as exc:   # a bad knowledge file (DIPLOWATCH_KNOWLEDGE_DIR): file and line
        print(f"{args.command}: knowledge base: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
