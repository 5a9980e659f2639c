"""``python -m streams demo``: the main job in one command.

Starts a local Apache Kafka unless a broker is given (KAFKA_BOOTSTRAP / DIPLOWATCH_KAFKA_BOOTSTRAP),
starts the worker (``python -m streams worker``) in a child process, replays a sample of real
articles into the input topic, and prints every contact and alert the pipeline publishes, until
Ctrl-C (or ``--exit-when-idle``). The worker serves ``/metrics`` and ``/status`` meanwhile.
On the way out it stops the worker (SIGTERM, so it commits and leaves its group) and the broker.

The worker runs as a child process, not in this process, because it is exactly what a deployment
runs: what the demo shows is what ``python -m streams worker`` does.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import orjson

from streams.commands.common import CommandError, check_broker, check_port_free, input_file
from streams.settings import PREFIX, Settings

PROJECT = Path(__file__).resolve().parents[2]
SHARED_CORPUS = PROJECT.parent / "shared" / "corpus"
# The sample: the project's burst stream (steady pairs over weeks of 2023, then a burst of
# Gaza-related calls for JOR-USA: it shows an alert), the five seed articles, then the 128
# development articles (real, with copies). The burst goes first: the seeds and dev reach 2025, and
# a contact more than DIPLOWATCH_RETAIN_DAYS behind the stamp of its article (its input partition's
# newest publication day so far) is late, not counted (docs/pipeline.md, "Event-time watermark").
DEFAULT_SAMPLE = (
    PROJECT / "tests" / "fixtures" / "burst_stream.jsonl",
    SHARED_CORPUS / "seeds.jsonl",
    SHARED_CORPUS / "dev.jsonl",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--articles", action="append", type=Path, metavar="FILE",
                        help="JSONL article file to replay (repeatable; default: the shared seeds and "
                             "dev corpus and the project's burst fixture)")
    parser.add_argument("--rate", default="200/s", help="replay rate (default 200/s)")
    parser.add_argument("--web-port", type=int, default=None,
                        help="worker web port for /metrics and /status (default DIPLOWATCH_WEB_PORT or 6066)")
    parser.add_argument("--app-id", default=None, help="Faust app id (default: diplowatch-demo-<time>)")
    parser.add_argument("--exit-when-idle", type=float, default=None, metavar="SECONDS",
                        help="stop by itself once the replay is done and nothing new was printed for "
                             "this many seconds (default: run until Ctrl-C)")
    parser.add_argument("--json", action="store_true", help="print contacts and alerts as JSON lines")


def _short(text: str, n: int = 110) -> str:
    t = " ".join((text or "").split())
    return t if len(t) <= n else t[: n - 1] + "…"


def format_contact(c: dict) -> str:
    pair = "-".join(c.get("countries") or [])
    topics = ",".join(c.get("topics") or []) or "-"
    return (f"contact  {pair:<8} {c.get('mode', ''):<12} {c.get('date') or '????-??-??'}  "
            f"topics={topics:<5} {_short(c.get('evidence', ''))}")


def _wait_http(url: str, deadline: float, proc: subprocess.Popen) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the worker exited with code {proc.returncode} before it served {url}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the worker did not serve {url} in time")


def _metric_total(url: str, name: str) -> float:
    """Sum of a metric's samples on the worker's /metrics (all label sets)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            text = r.read().decode()
    except OSError:
        return float("nan")
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and (line[len(name)] in " {"):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def _follow(s: Settings, state: dict, stop: asyncio.Event, as_json: bool) -> None:
    """Print contacts and alerts as they appear (no consumer group: the demo commits nothing)."""
    from aiokafka import AIOKafkaConsumer

    from streams.commands.alerts import format_alert
    from streams.security import client_options, start_client

    consumer = AIOKafkaConsumer(s.topic_contacts, s.topic_alerts, bootstrap_servers=s.kafka_bootstrap,
                                group_id=None, auto_offset_reset="earliest", enable_auto_commit=False,
                                metadata_max_age_ms=2000, **client_options(s))
    await start_client(consumer, s)
    try:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=500)
            for tp, records in batch.items():
                for rec in records:
                    try:
                        doc = orjson.loads(rec.value)
                    except orjson.JSONDecodeError:
                        continue
                    is_alert = tp.topic == s.topic_alerts
                    state["alerts" if is_alert else "contacts"] += 1
                    state["last_output"] = time.monotonic()
                    if as_json:
                        line = orjson.dumps({"topic": tp.topic, "record": doc}).decode()
                    elif is_alert:
                        line = "\n" + format_alert(doc) + "\n"
                    elif doc.get("countries"):
                        line = format_contact(doc)
                    else:
                        continue   # an extra-source update of an already printed contact
                    print(line, flush=True)
    finally:
        await consumer.stop()


class WorkerDied(RuntimeError):
    pass


async def _watch(worker: subprocess.Popen) -> None:
    """Returns never while the worker runs; raises WorkerDied when it exits."""
    while worker.poll() is None:
        await asyncio.sleep(0.5)
    raise WorkerDied(f"the worker exited with code {worker.returncode}")


async def _main(s: Settings, files: list[Path], rate: str, idle: float | None, as_json: bool,
                metrics_url: str, worker: subprocess.Popen) -> dict:
    from streams.commands.replay import parse_rate, replay

    state = {"contacts": 0, "alerts": 0, "sent": 0, "last_output": time.monotonic()}
    stop = asyncio.Event()
    follower = asyncio.create_task(_follow(s, state, stop, as_json))
    watcher = asyncio.create_task(_watch(worker))
    try:
        for f in files:
            if watcher.done():
                watcher.result()
            print(f"demo: replaying {f}", file=sys.stderr, flush=True)
            summary = await replay(s, str(f), topic=s.topic_articles, rate=parse_rate(rate),
                                   progress=sys.stderr.isatty())
            state["sent"] += int(summary["sent"])
        print(f"demo: replay done ({state['sent']} articles); contacts and alerts follow as the worker "
              f"publishes them. Metrics: {metrics_url}  — Ctrl-C to stop.", file=sys.stderr, flush=True)
        while True:
            await asyncio.sleep(0.5)
            if follower.done():
                follower.result()   # surfaces a consumer error
            if watcher.done():
                watcher.result()    # the worker died: WorkerDied
            if idle is not None and time.monotonic() - state["last_output"] > idle:
                break
    finally:
        stop.set()
        watcher.cancel()
        try:
            await asyncio.wait_for(follower, timeout=5)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            pass
    return state


_ERROR_LINE = re.compile(r"\b(ERROR|CRITICAL|Error|Exception)\b|^\w+: ")


def last_error(log: Path) -> str:
    """The last line of the worker's log that states an error (a Faust ERROR line, the last line of
    a traceback, a command's one-line error), else its last non-empty line."""
    lines = [ln.strip() for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
    for line in reversed(lines):
        if _ERROR_LINE.search(line):
            return line[:500]
    return lines[-1][:500] if lines else "(the log is empty)"


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def _stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run(args: argparse.Namespace) -> int:
    files = args.articles or [f for f in DEFAULT_SAMPLE if f.exists()]
    missing = [f for f in files if not f.exists()]
    if missing or not files:
        raise CommandError(f"article file(s) not found: {', '.join(map(str, missing)) or 'none given'} "
                           f"(the shared corpus is expected at {SHARED_CORPUS})")
    for f in files:
        input_file(f, "articles file")
    given = os.environ.get(PREFIX + "KAFKA_BOOTSTRAP") or os.environ.get("KAFKA_BOOTSTRAP")
    try:
        early = Settings.from_env(**({"web_port": args.web_port} if args.web_port else {}))
    except (ValueError, TypeError) as exc:
        raise CommandError(f"bad configuration: {exc}") from None
    # before a broker is started for nothing: the web port, and a given broker, are checked first
    check_port_free(early.web_host, early.web_port, "--web-port")
    if given:
        check_broker(given)
    kafka = None
    # SIGTERM behaves like Ctrl-C, so the broker and the worker are stopped either way
    signal.signal(signal.SIGTERM, _interrupt)
    worker = None
    try:
        if given:
            bootstrap = given
            print(f"demo: using the broker at {bootstrap}", file=sys.stderr)
        else:
            from streams.devkafka import LocalKafka

            print("demo: starting a local Apache Kafka (first run downloads its jars with Maven)…",
                  file=sys.stderr, flush=True)
            kafka = LocalKafka()
            bootstrap = kafka.start()
            print(f"demo: Kafka up at {bootstrap} in {kafka.startup_seconds:.1f}s", file=sys.stderr)
        overrides = {"kafka_bootstrap": bootstrap,
                     "app_id": args.app_id or f"diplowatch-demo-{int(time.time())}"}
        if args.web_port:
            overrides["web_port"] = args.web_port
        s = Settings.from_env(**overrides)
        if args.app_id is None and not os.environ.get(PREFIX + "TOPIC_ARTICLES"):
            # a fresh app id reads fresh topics too, so a second demo on the same broker starts clean
            s = Settings.from_env(**overrides, topic_articles=f"{s.app_id}-articles",
                                  topic_contacts=f"{s.app_id}-contacts", topic_alerts=f"{s.app_id}-alerts",
                                  topic_dead_letter=f"{s.app_id}-dead-letter")
        # The port must be free before the worker starts: with another process on it, that
        # process's /metrics would answer the readiness poll below while our worker is dead.
        check_port_free(s.web_host, s.web_port, "--web-port")
        # Every topic exists with its configured partitions before anything subscribes to it (the
        # follower below reads contacts and alerts; the worker checks them again).
        from streams.pipeline.topics import TopicMismatch, ensure_topics_sync
        try:
            ensure_topics_sync(s)
        except TopicMismatch as exc:
            raise CommandError(str(exc)) from None
        env = dict(os.environ)
        env.update({PREFIX + k.upper(): str(v) for k, v in
                    (("kafka_bootstrap", s.kafka_bootstrap), ("app_id", s.app_id),
                     ("web_port", s.web_port), ("topic_articles", s.topic_articles),
                     ("topic_contacts", s.topic_contacts), ("topic_alerts", s.topic_alerts),
                     ("topic_dead_letter", s.topic_dead_letter))})
        # the demo's burst is reported once per call (seven articles from three outlets), so the
        # corroboration the live default asks of a new episode (DIPLOWATCH_SPIKE_MIN_REPORTS, eight
        # articles; tuned on a feed of hundreds of publishers) cannot happen in it: the demo shows
        # the detector without it
        env.setdefault(PREFIX + "SPIKE_MIN_REPORTS", "1")
        # the sample spans October 2023 (the burst) to November 2025 (dev): counts kept 1,000 days
        # so the burst's weeks stay on the pair page after the first expiry pass
        env.setdefault(PREFIX + "RETAIN_DAYS", "1000")
        # a day's alerts are decided once every input partition's stamp has passed it on every
        # path (docs/pipeline.md); the timer's heartbeats move them past paths with nothing more to send:
        # every 5 s, so the burst's alert follows the sample within seconds, not a minute
        env.setdefault(PREFIX + "EXPIRE_INTERVAL_SECONDS", "5")
        log_dir = PROJECT / "var" / "demo"
        log_dir.mkdir(parents=True, exist_ok=True)
        worker_log = open(log_dir / "worker.log", "wb")
        # the worker gets SIGTERM (a clean stop) if the demo dies without stopping it (SIGKILL)
        from streams.devkafka import die_with_parent
        main_thread = threading.current_thread() is threading.main_thread()
        worker = subprocess.Popen([sys.executable, "-m", "streams", "worker"], env=env,
                                  stdout=worker_log, stderr=subprocess.STDOUT, cwd=PROJECT,
                                  preexec_fn=die_with_parent if main_thread and sys.platform == "linux"
                                  else None)
        base = f"http://{s.web_host}:{s.web_port}"
        print(f"demo: worker started (log: {log_dir / 'worker.log'}), waiting for {base}/metrics",
              file=sys.stderr, flush=True)
        _wait_http(base + "/metrics", time.monotonic() + 120, worker)
        print(f"demo: worker ready — metrics {base}/metrics, status page {base}/status, "
              f"pair page {base}/status/pair",
              file=sys.stderr, flush=True)
        state = asyncio.run(_main(s, files, args.rate, args.exit_when_idle, args.json, base + "/metrics",
                                  worker))
        m = {k: _metric_total(base + "/metrics", f"diplowatch_{k}_total")
             for k in ("articles_in", "articles_processed", "duplicates", "dead_letters")}
        print(f"demo: {state['sent']} articles sent; worker counted {m['articles_in']:.0f} in, "
              f"{m['articles_processed']:.0f} processed, {m['duplicates']:.0f} duplicates, "
              f"{m['dead_letters']:.0f} dead letters; {state['contacts']} contact records and "
              f"{state['alerts']} alerts printed", file=sys.stderr)
        return 0
    except KeyboardInterrupt:
        print("\ndemo: stopping", file=sys.stderr)
        return 0
    except CommandError:
        raise
    except Exception as exc:   # noqa: BLE001 - one readable line, then the clean stop below
        print(f"demo: {exc}", file=sys.stderr)
        log = PROJECT / "var" / "demo" / "worker.log"
        if worker is not None and worker.poll() is not None and log.exists():
            print(f"demo: the worker's last error: {last_error(log)} (whole log: {log})", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)   # a second Ctrl-C must not skip the clean-up
        if worker is not None:
            _stop_worker(worker)
        if kafka is not None:
            kafka.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)
