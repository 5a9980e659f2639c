"""A local Apache Kafka (KRaft) the project starts itself: for tests, the demo and development.

The broker is the real Apache Kafka, pinned in ``deploy/kafka/pom.xml``; its jars come from Maven
Central through ``mvn dependency:copy-dependencies`` into a per-user cache
(``~/.cache/diplowatch/kafka-<version>-<pom hash>/libs``), and each node is started with
``java -cp libs/* kafka.Kafka server.properties`` after Kafka's own ``StorageTool`` formatted its
KRaft storage. No Docker, no tarball, no shell scripts.

    with LocalKafka() as kafka:              # one node: broker + controller, RF 1
        print(kafka.bootstrap)               # "127.0.0.1:PORT"
    with LocalKafka(brokers=3) as kafka:     # three nodes, quorum of 3, RF 3, min ISR 2
        kafka.kill_broker(1); kafka.start_broker(1)

Each node runs in its own process group; ``stop()`` sends SIGTERM then SIGKILL after a timeout,
``atexit`` stops whatever is still running, and on Linux the JVM also gets SIGTERM from the
kernel if the Python process dies without running atexit (PR_SET_PDEATHSIG), so no JVM is left
behind.
"""
from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import fcntl
import hashlib
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
KAFKA_DEPLOY_DIR = PROJECT_ROOT / "deploy" / "kafka"
POM = KAFKA_DEPLOY_DIR / "pom.xml"
SERVER_TEMPLATE = KAFKA_DEPLOY_DIR / "server.properties.template"
LOG4J2_CONFIG = KAFKA_DEPLOY_DIR / "log4j2.yaml"

INSTALL_HINT = "install them with: sudo apt-get install openjdk-17-jre-headless maven"
MIN_JAVA = 17  # Kafka 4.x brokers need Java 17+

# Modest heap, and C1 only: a short-lived dev broker starts faster without C2
# (deploy/kafka/README.md) and never runs long enough to miss it. Override with DIPLOWATCH_KAFKA_JVM_OPTS.
DEFAULT_JVM_OPTS = (
    "-Xms128m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss1m "
    "-Djava.awt.headless=true -Djava.net.preferIPv4Stack=true"
)


class KafkaUnavailable(RuntimeError):
    """Java or Maven is missing, or the Kafka jars cannot be resolved."""


class KafkaStartError(RuntimeError):
    """A node did not come up; the message names its log file and quotes its last lines."""


# ---------------------------------------------------------------------------------------------
# Tools and jars


def kafka_version(pom: Path | None = None) -> str:
    pom = pom or POM
    m = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", pom.read_text())
    if not m:
        raise KafkaUnavailable(f"no <kafka.version> property in {pom}")
    return m.group(1).strip()


def java_major(java: str) -> int:
    out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not m:
        raise KafkaUnavailable(f"cannot read the Java version from `{java} -version`: {out.stderr!r}")
    major = int(m.group(1))
    return int(m.group(2)) if major == 1 else major  # "1.8.0" style


def find_tools() -> tuple[str, str]:
    """Paths of java and mvn, or KafkaUnavailable saying exactly what is missing."""
    java = shutil.which("java")
    mvn = shutil.which("mvn")
    missing = [name for name, path in (("java (JDK/JRE 17+)", java), ("mvn (Apache Maven)", mvn)) if not path]
    if missing:
        raise KafkaUnavailable(
            f"the local Kafka needs {' and '.join(missing)} on PATH, which {'is' if len(missing) == 1 else 'are'} "
            f"missing; {INSTALL_HINT}"
        )
    major = java_major(java)
    if major < MIN_JAVA:
        raise KafkaUnavailable(f"{java} is Java {major}; Kafka {kafka_version()} needs Java {MIN_JAVA}+; {INSTALL_HINT}")
    return java, mvn


def cache_root() -> Path:
    base = os.environ.get("DIPLOWATCH_CACHE") or os.environ.get("XDG_CACHE_HOME")
    return Path(base) / "diplowatch" if base else Path.home() / ".cache" / "diplowatch"


def libs_dir(pom: Path | None = None) -> Path:
    """Where the jars for the pom live (the cache key is Kafka version + pom hash)."""
    pom = pom or POM
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:12]
    return cache_root() / f"kafka-{kafka_version(pom)}-{digest}" / "libs"


def ensure_libs(mvn: str | None = None) -> Path:
    """Resolve the broker's jars with Maven once; later calls return the cached directory.

    A file lock serialises concurrent test sessions; Maven writes into a scratch directory that
    is renamed into place only when complete, so a half-copied cache is never used.
    """
    libs = libs_dir()
    done = libs / ".complete"
    if done.exists():
        return libs
    if mvn is None:
        _, mvn = find_tools()
    libs.parent.mkdir(parents=True, exist_ok=True)
    with open(libs.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            return libs
        scratch = Path(tempfile.mkdtemp(prefix="libs-", dir=libs.parent))
        cmd = [mvn, "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
               "-DincludeScope=runtime", f"-DoutputDirectory={scratch}"]
        log.info("resolving Kafka %s jars from Maven Central: %s", kafka_version(), " ".join(cmd))
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        jars = list(scratch.glob("*.jar"))
        if proc.returncode != 0 or not jars:
            shutil.rmtree(scratch, ignore_errors=True)
            raise KafkaUnavailable(
                f"mvn could not resolve the Kafka jars (exit {proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
            )
        (scratch / ".complete").write_text(f"{len(jars)} jars\n")
        if libs.exists():
            shutil.rmtree(libs)
        scratch.rename(libs)
    return libs


def free_ports(n: int) -> list[int]:
    """n distinct ports that were free a moment ago (the kernel picks them; sockets held together)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def new_cluster_id() -> str:
    # Kafka's Uuid text form: 16 random bytes, URL-safe base64 without padding. Like Kafka's own
    # Uuid.randomUuid(), never one starting with "-" (1 in 64): kafka-storage's argument parser
    # reads "--cluster-id -Abc..." as a missing value and the format fails.
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cid.startswith("-"):
            return cid


def faust_broker_url(bootstrap: str) -> str:
    """Faust's `broker` setting for a bootstrap list: "h1:p1,h2:p2" -> "kafka://h1:p1;h2:p2"."""
    return "kafka://" + ";".join(b.strip() for b in bootstrap.split(",") if b.strip())


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=timeout):
        return True
    return False


def run_coro_sync(coro_factory, timeout: float | None = None):
    """Run an async function to completion from sync code, even if the caller is inside a running
    event loop (pytest-asyncio): a private loop on a short-lived thread."""
    result: dict = {}

    def target():
        try:
            result["value"] = asyncio.run(coro_factory())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            result["error"] = exc

    t = threading.Thread(target=target, name="devkafka-async", daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        raise TimeoutError("async helper did not finish in time")
    if "error" in result:
        raise result["error"]
    return result.get("value")


async def _broker_ids(bootstrap: str, **client: object) -> set[int]:
    from aiokafka import AIOKafkaClient

    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=5000,
                            connections_max_idle_ms=10000, retry_backoff_ms=100, **client)
    try:
        await client.bootstrap()
        return {b.nodeId for b in client.cluster.brokers()}
    finally:
        await client.close()


def broker_ids(bootstrap: str, **client: object) -> set[int]:
    """Node ids of the brokers in the cluster metadata (registered and unfenced). ``client``:
    aiokafka security arguments (streams.security.client_options) for a secured cluster."""
    return run_coro_sync(lambda: _broker_ids(bootstrap, **client), timeout=20)


async def acreate_topic(bootstrap: str, name: str, partitions: int = 1, replication_factor: int = 1,
                        configs: dict[str, str] | None = None, timeout: float = 30.0) -> None:
    """Create a topic and wait until every partition has a leader (so producing right after works)."""
    from aiokafka import AIOKafkaClient
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout * 1000))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, partitions, replication_factor,
                                            topic_configs={k.replace("_", "."): str(v) for k, v in (configs or {}).items()})])
    finally:
        await admin.close()
    client = AIOKafkaClient(bootstrap_servers=bootstrap)
    await client.bootstrap()
    try:
        deadline = time.monotonic() + timeout
        while True:
            await client.force_metadata_update()
            parts = client.cluster.partitions_for_topic(name) or set()
            if len(parts) == partitions and all(
                    client.cluster.leader_for_partition(_tp(name, p)) not in (None, -1) for p in parts):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"topic {name} has no leader for all partitions after {timeout}s")
            await asyncio.sleep(0.1)
    finally:
        await client.close()


def _tp(topic: str, partition: int):
    from aiokafka.structs import TopicPartition

    return TopicPartition(topic, partition)


def create_topic(bootstrap: str, name: str, partitions: int = 1, replication_factor: int = 1,
                 configs: dict[str, str] | None = None, timeout: float = 30.0) -> None:
    """Sync wrapper of acreate_topic, safe to call from inside a running event loop."""
    run_coro_sync(lambda: acreate_topic(bootstrap, name, partitions, replication_factor, configs, timeout),
                  timeout=timeout + 10)


# ---------------------------------------------------------------------------------------------
# Process handling


def die_with_parent() -> None:
    """preexec_fn: the kernel sends the child SIGTERM when the thread that started it dies, so a
    Python process killed with SIGKILL leaves no broker (or demo worker) running. Only for a child
    started from the main thread (the signal follows the thread, not the process)."""
    import ctypes

    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1


def _kill_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def _kill_stale(pid_file: Path, marker: str) -> None:
    """Kill a JVM a previous, crashed run left in this directory (checked via its command line)."""
    with contextlib.suppress(OSError, ValueError):
        pid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        if marker in cmdline:
            log.warning("killing stale Kafka JVM %d from %s", pid, pid_file.parent)
            os.killpg(pid, signal.SIGKILL)
            for _ in range(50):
                if not Path(f"/proc/{pid}").exists():
                    break
                time.sleep(0.1)


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no {path})"


_NAME = re.compile(r"[A-Za-z0-9_.-]+")


@dataclass
class BrokerSecurity:
    """A SASL_SSL listener for a local cluster, in place of PLAINTEXT (clients and inter-broker).

    TLS: ``make_tls`` has the JDK's ``keytool`` make a throwaway CA and a broker key pair whose
    certificate the CA signs for 127.0.0.1 and localhost; the brokers use it (PKCS12 keystore) and
    trust the CA (truststore, for inter-broker connections); clients check the broker against
    ``ca_file`` (PEM). SASL: PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 for every user in ``users``
    (name -> password): PLAIN users in the listener's JAAS configuration, SCRAM credentials of both
    hashes written into the metadata log when the storage is formatted (StorageTool
    ``--add-scram``), plus the brokers' own user, which they use among themselves (SCRAM-SHA-512).
    """
    users: dict[str, str]
    tls_dir: Path | None = None
    store_password: str = field(default_factory=lambda: secrets.token_hex(12), repr=False)
    broker_user: str = "broker"
    broker_password: str = field(default_factory=lambda: secrets.token_hex(12), repr=False)

    def __post_init__(self) -> None:
        for name, password in self.all_users().items():
            # JAAS and --add-scram values are quoted/bracketed: keep them to a safe alphabet
            if not (_NAME.fullmatch(name) and _NAME.fullmatch(password)):
                raise ValueError(f"user names and passwords of the local broker: [A-Za-z0-9_.-]+ ({name!r})")

    def all_users(self) -> dict[str, str]:
        return {**self.users, self.broker_user: self.broker_password}

    @property
    def ca_file(self) -> Path:
        if self.tls_dir is None:
            raise RuntimeError("make_tls() has not run")
        return self.tls_dir / "ca.pem"

    def make_tls(self, directory: Path, keytool: str) -> None:
        """CA, broker key pair and certificate, keystore and truststore in ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        pw = self.store_password
        ca, broker, trust = directory / "ca.p12", directory / "broker.p12", directory / "truststore.p12"
        for f in (ca, broker, trust):
            f.unlink(missing_ok=True)
        common = ["-storetype", "PKCS12", "-storepass", pw, "-keypass", pw]
        steps = [
            ["-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
             "-dname", "CN=diplowatch local CA", "-ext", "bc:c", "-keystore", str(ca), *common],
            ["-exportcert", "-rfc", "-alias", "ca", "-keystore", str(ca), "-storepass", pw,
             "-file", str(directory / "ca.pem")],
            ["-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
             "-dname", "CN=localhost", "-keystore", str(broker), *common],
            ["-certreq", "-alias", "broker", "-keystore", str(broker), "-storepass", pw,
             "-file", str(directory / "broker.csr")],
            ["-gencert", "-alias", "ca", "-keystore", str(ca), "-storepass", pw, "-rfc", "-validity", "30",
             "-infile", str(directory / "broker.csr"), "-outfile", str(directory / "broker.pem"),
             "-ext", "SAN=IP:127.0.0.1,DNS:localhost", "-ext", "KU=digitalSignature,keyEncipherment",
             "-ext", "EKU=serverAuth,clientAuth"],
            ["-importcert", "-noprompt", "-alias", "ca", "-file", str(directory / "ca.pem"),
             "-keystore", str(broker), "-storepass", pw],
            ["-importcert", "-alias", "broker", "-file", str(directory / "broker.pem"),
             "-keystore", str(broker), "-storepass", pw],
            ["-importcert", "-noprompt", "-alias", "ca", "-file", str(directory / "ca.pem"),
             "-keystore", str(trust), "-storetype", "PKCS12", "-storepass", pw],
        ]
        for args in steps:
            proc = subprocess.run([keytool, *args], capture_output=True, text=True, timeout=120)
            if proc.returncode != 0:
                raise KafkaStartError(f"keytool {args[0]} failed (exit {proc.returncode}): "
                                      f"{(proc.stdout + proc.stderr).strip()[-2000:]}")
        self.tls_dir = directory

    def server_properties(self) -> str:
        """The lines that make the ${listener} of the template a SASL_SSL listener."""
        d, pw = self.tls_dir, self.store_password
        if d is None:
            raise RuntimeError("make_tls() has not run")
        plain_users = " ".join(f'user_{n}="{p}"' for n, p in self.all_users().items())
        me = f'username="{self.broker_user}" password="{self.broker_password}"'
        scram = "org.apache.kafka.common.security.scram.ScramLoginModule required"
        return "\n".join([
            "", "# SASL_SSL (streams/devkafka.py BrokerSecurity)",
            "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
            "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
            "listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain."
            f"PlainLoginModule required {me} {plain_users};",
            f"listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config={scram} {me};",
            f"listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config={scram} {me};",
            "ssl.keystore.type=PKCS12", f"ssl.keystore.location={d / 'broker.p12'}",
            f"ssl.keystore.password={pw}", f"ssl.key.password={pw}",
            "ssl.truststore.type=PKCS12", f"ssl.truststore.location={d / 'truststore.p12'}",
            f"ssl.truststore.password={pw}",
            "ssl.endpoint.identification.algorithm=https", "",
        ])

    def scram_args(self) -> list[str]:
        """StorageTool format arguments creating every user's SCRAM credentials."""
        out = []
        for name, password in self.all_users().items():
            for mech in ("SCRAM-SHA-256", "SCRAM-SHA-512"):
                out += ["--add-scram", f"{mech}=[name={name},password={password}]"]
        return out

    def client_env(self, bootstrap: str, user: str | None = None, mechanism: str = "SCRAM-SHA-512",
                   password: str | None = None) -> dict[str, str]:
        """The DIPLOWATCH_* settings of a client of this cluster (default user: the first one;
        ``password`` overrides the user's, e.g. to test a wrong one)."""
        user = user or next(iter(self.users), self.broker_user)
        return {
            "DIPLOWATCH_KAFKA_BOOTSTRAP": bootstrap,
            "DIPLOWATCH_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "DIPLOWATCH_KAFKA_SASL_MECHANISM": mechanism,
            "DIPLOWATCH_KAFKA_SASL_USERNAME": user,
            "DIPLOWATCH_KAFKA_SASL_PASSWORD": password if password is not None else self.all_users()[user],
            "DIPLOWATCH_KAFKA_SSL_CAFILE": str(self.ca_file),
        }


def find_keytool(java: str) -> str:
    """The JDK's keytool: on PATH, else beside the java binary."""
    found = shutil.which("keytool")
    if found:
        return found
    beside = Path(java).resolve().parent / "keytool"
    if beside.exists():
        return str(beside)
    raise KafkaUnavailable(f"keytool (part of the JDK) not found on PATH or beside {java}; {INSTALL_HINT}")


def quorum_voters(nodes: list[tuple[int, int]]) -> str:
    """controller.quorum.voters from (node id, controller port) pairs."""
    return ",".join(f"{node_id}@127.0.0.1:{port}" for node_id, port in nodes)


def render_server_properties(*, node_id: int, voters: str, broker_port: int, controller_port: int,
                             data_dir: Path, nodes: int, template: Path = SERVER_TEMPLATE,
                             security: "BrokerSecurity | None" = None) -> str:
    """server.properties of one node. One node: RF 1, min ISR 1. Several: RF min(nodes, 3) and
    min ISR RF-1 (3 nodes: RF 3, min ISR 2, so acks=all survives one dead node), plus faster
    failure detection (a 4 s broker session instead of Kafka's 9 s) so a killed node is fenced
    sooner. With ``security`` the client and inter-broker listener is SASL_SSL instead of
    PLAINTEXT (BrokerSecurity)."""
    rf = min(nodes, 3)
    text = string.Template(template.read_text()).substitute(
        node_id=node_id, quorum_voters=voters, broker_port=broker_port, controller_port=controller_port,
        data_dir=data_dir, replication_factor=rf, min_insync_replicas=max(1, rf - 1),
        listener="SASL_SSL" if security else "PLAINTEXT",
    )
    if security is not None:
        text += security.server_properties()
    if nodes > 1:
        text += ("\n# cluster mode: faster failure detection\n"
                 "broker.session.timeout.ms=4000\nbroker.heartbeat.interval.ms=1000\n"
                 "replica.lag.time.max.ms=8000\n")
    return text


def error_lines(path: Path, limit: int = 12) -> str:
    """The ERROR/FATAL entries and their root causes from a broker log, without stack frames,
    which would otherwise fill any "last lines" excerpt."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    picked: list[str] = []
    for line in text.splitlines():
        if re.match(r"\[[^\]]+\] (ERROR|FATAL) ", line) or line.startswith("Caused by:"):
            if line not in picked:
                picked.append(line)
    return "\n".join(picked[-limit:])


def _pid_alive(pid_file: Path) -> bool:
    with contextlib.suppress(OSError, ValueError):
        return Path(f"/proc/{int(pid_file.read_text().strip())}").exists()
    return False


def prune_stale_runs(base: Path, max_age_hours: float = 12.0) -> None:
    """Delete run-* work directories left by crashed or failed runs: only those older than
    max_age_hours whose nodes are all dead. Directories of running brokers (other test sessions
    share var/kafka/) are never touched."""
    cutoff = time.time() - max_age_hours * 3600
    for run in base.glob("run-*"):
        with contextlib.suppress(OSError):
            if run.stat().st_mtime < cutoff and not any(_pid_alive(p) for p in run.glob("node-*/kafka.pid")):
                shutil.rmtree(run, ignore_errors=True)


_live: "set[LocalKafka]" = set()
_live_lock = threading.Lock()


@atexit.register
def _stop_all_at_exit() -> None:
    with _live_lock:
        clusters = list(_live)
    for kafka in clusters:
        with contextlib.suppress(Exception):
            kafka.stop(timeout=10)


@dataclass
class _Node:
    index: int
    broker_port: int
    controller_port: int
    dir: Path
    proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def node_id(self) -> int:
        return self.index + 1

    @property
    def config(self) -> Path:
        return self.dir / "server.properties"

    @property
    def log(self) -> Path:
        return self.dir / "server.log"

    @property
    def console(self) -> Path:
        return self.dir / "console.log"

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


class LocalKafka:
    """A local Kafka cluster of `brokers` KRaft nodes (each broker + controller) on 127.0.0.1.

    workdir: where node directories (config, data, server.log) go. Default: a fresh directory
    under <project>/var/kafka/ that is deleted by a clean stop() (kept if start failed, so the
    logs can be read). Storage is formatted fresh on every start(); start_broker(i) after
    kill_broker(i) keeps the node's data, like a real crash and restart. Node indexes i are
    0-based; node i has node.id i+1 and is the i-th entry of `bootstrap`.
    """

    def __init__(self, brokers: int = 1, workdir: Path | str | None = None, *,
                 broker_ports: list[int] | None = None, start_timeout: float = 120.0,
                 keep_workdir: bool | None = None, jvm_opts: str | None = None,
                 security: BrokerSecurity | None = None):
        if brokers < 1:
            raise ValueError("brokers must be >= 1")
        if broker_ports is not None and len(broker_ports) != brokers:
            raise ValueError("broker_ports needs one port per broker")
        self.brokers = brokers
        self.security = security
        self._own_workdir = workdir is None
        self.workdir = Path(workdir) if workdir is not None else None
        self.keep_workdir = (not self._own_workdir) if keep_workdir is None else keep_workdir
        self.start_timeout = start_timeout
        self.jvm_opts = (jvm_opts or os.environ.get("DIPLOWATCH_KAFKA_JVM_OPTS") or DEFAULT_JVM_OPTS).split()
        self._fixed_ports = broker_ports
        self._nodes: list[_Node] = []
        self._java: str | None = None
        self._libs: Path | None = None
        self.startup_seconds: float | None = None
        self._failed = False  # keep the workdir of a failed start for its logs

    # -- public API --------------------------------------------------------------------------

    @property
    def bootstrap(self) -> str:
        if not self._nodes:
            raise RuntimeError("LocalKafka is not started")
        return ",".join(f"127.0.0.1:{n.broker_port}" for n in self._nodes)

    @property
    def faust_broker(self) -> str:
        """The `broker` setting for a Faust app: "kafka://127.0.0.1:P1;127.0.0.1:P2"."""
        return faust_broker_url(self.bootstrap)

    def client_env(self, user: str | None = None, mechanism: str = "SCRAM-SHA-512",
                   password: str | None = None) -> dict[str, str]:
        """The DIPLOWATCH_* connection settings of a client of this cluster (only the bootstrap
        address for a plaintext one)."""
        if self.security is None:
            return {"DIPLOWATCH_KAFKA_BOOTSTRAP": self.bootstrap}
        return self.security.client_env(self.bootstrap, user, mechanism, password)

    def client_options(self, user: str | None = None, mechanism: str = "SCRAM-SHA-512") -> dict:
        """aiokafka security arguments for a client of this cluster (streams.security)."""
        if self.security is None:
            return {}
        from streams.security import client_options
        from streams.settings import Settings
        return client_options(Settings.from_env(self.client_env(user, mechanism)))

    def _admin_options(self) -> dict:
        if self.security is None:
            return {}
        return self.client_options(self.security.broker_user)

    def broker_log(self, i: int) -> Path:
        return self._nodes[i].log

    def is_running(self, i: int) -> bool:
        return self._nodes[i].alive()

    def start(self) -> str:
        """Format storage, launch every node, wait until all brokers are in the metadata."""
        if any(n.alive() for n in self._nodes):
            return self.bootstrap
        t0 = time.monotonic()
        self._java, mvn = find_tools()
        self._libs = ensure_libs(mvn)
        attempts = 1 if self._fixed_ports else 3
        for attempt in range(1, attempts + 1):
            self._prepare()
            with _live_lock:
                _live.add(self)
            try:
                self._format()
                for node in self._nodes:
                    self._launch(node)
                self._wait_ready(set(range(self.brokers)), time.monotonic() + self.start_timeout)
                break
            except KafkaStartError:
                in_use = any("Address already in use" in tail(n.log, 200) + tail(n.console, 200) for n in self._nodes)
                self._terminate(timeout=5)
                if in_use and attempt < attempts:  # another process took a port we picked: new ports
                    log.warning("port clash starting Kafka, retrying with new ports")
                    continue
                self._failed = True
                raise
            except BaseException:  # KeyboardInterrupt, bad template, ...: no JVM may survive
                self._terminate(timeout=5)
                self._failed = True
                raise
        self._failed = False
        self.startup_seconds = time.monotonic() - t0
        log.info("Kafka %s up at %s in %.1fs (workdir %s)", kafka_version(), self.bootstrap,
                 self.startup_seconds, self.workdir)
        return self.bootstrap

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM every node (controlled shutdown), SIGKILL what is left after `timeout` seconds."""
        self._terminate(timeout)
        with _live_lock:
            _live.discard(self)
        if self._own_workdir and not self.keep_workdir and not self._failed \
                and self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def kill_broker(self, i: int) -> None:
        """SIGKILL node i (no controlled shutdown): for failure tests."""
        node = self._nodes[i]
        if node.alive():
            _kill_group(node.proc, signal.SIGKILL)
            node.proc.wait(timeout=30)

    def stop_broker(self, i: int, timeout: float = 30.0) -> None:
        """SIGTERM node i (controlled shutdown), SIGKILL if it has not exited after ``timeout``."""
        node = self._nodes[i]
        if node.alive():
            _kill_group(node.proc, signal.SIGTERM)
            try:
                node.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(node.proc, signal.SIGKILL)
                node.proc.wait(timeout=30)

    def pid(self, i: int) -> int | None:
        """The JVM's pid of node i (None before its first start)."""
        proc = self._nodes[i].proc
        return proc.pid if proc is not None else None

    def start_broker(self, i: int, timeout: float | None = None) -> None:
        """Restart node i on its old ports and data; return once it is back in the metadata."""
        node = self._nodes[i]
        if node.alive():
            return
        self._launch(node)
        self._wait_ready({i}, time.monotonic() + (timeout or self.start_timeout))

    def __enter__(self) -> "LocalKafka":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- internals ---------------------------------------------------------------------------

    def _prepare(self) -> None:
        if self.workdir is None or (self._own_workdir and not self._nodes):
            base = PROJECT_ROOT / "var" / "kafka"
            try:
                base.mkdir(parents=True, exist_ok=True)
                prune_stale_runs(base)
                self.workdir = Path(tempfile.mkdtemp(prefix=time.strftime("run-%Y%m%d-%H%M%S-"), dir=base))
            except OSError:
                self.workdir = Path(tempfile.mkdtemp(prefix="diplowatch-kafka-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        ports = free_ports(self.brokers * 2 if not self._fixed_ports else self.brokers)
        broker_ports = list(self._fixed_ports) if self._fixed_ports else ports[: self.brokers]
        controller_ports = ports[-self.brokers:]
        if set(broker_ports) & set(controller_ports):
            controller_ports = [p for p in free_ports(self.brokers * 2) if p not in broker_ports][: self.brokers]
        self._nodes = []
        for i in range(self.brokers):
            node_dir = self.workdir / f"node-{i + 1}"
            _kill_stale(node_dir / "kafka.pid", str(node_dir))
            if node_dir.exists():
                shutil.rmtree(node_dir)
            (node_dir / "data").mkdir(parents=True)
            self._nodes.append(_Node(i, broker_ports[i], controller_ports[i], node_dir))
        if self.security is not None:
            self.security.make_tls(self.workdir / "tls", find_keytool(self._java or "java"))
        voters = quorum_voters([(n.node_id, n.controller_port) for n in self._nodes])
        for n in self._nodes:
            n.config.write_text(render_server_properties(
                node_id=n.node_id, voters=voters, broker_port=n.broker_port,
                controller_port=n.controller_port, data_dir=n.dir / "data", nodes=self.brokers,
                security=self.security))

    def _java_cmd(self, node: _Node, main: str, *args: str) -> list[str]:
        return [self._java, *self.jvm_opts,
                f"-Dkafka.logs.dir={node.dir}", f"-Dlog4j2.configurationFile={LOG4J2_CONFIG}",
                "-cp", f"{self._libs}/*", main, *args]

    def _format(self) -> None:
        cluster_id = new_cluster_id()
        procs = []
        for n in self._nodes:  # one short JVM per node, in parallel
            out = open(n.dir / "format.log", "w")
            cmd = self._java_cmd(n, "kafka.tools.StorageTool", "format", "--config", str(n.config),
                                 "--cluster-id", cluster_id,
                                 *(self.security.scram_args() if self.security else ()))
            procs.append((n, subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT), out))
        for n, proc, out in procs:
            try:
                code = proc.wait(timeout=120)
            finally:
                out.close()
            if code != 0:
                raise KafkaStartError(f"StorageTool format failed for node {n.node_id} (exit {code}); "
                                      f"{n.dir / 'format.log'}:\n{tail(n.dir / 'format.log')}")

    def _launch(self, node: _Node) -> None:
        cmd = self._java_cmd(node, "kafka.Kafka", str(node.config))
        main_thread = threading.current_thread() is threading.main_thread()
        with open(node.console, "ab") as console:
            node.proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT,
                cwd=node.dir, start_new_session=True,  # own process group: killpg gets it all
                preexec_fn=die_with_parent if main_thread and sys.platform == "linux" else None,
            )
        (node.dir / "kafka.pid").write_text(f"{node.proc.pid}\n")

    def _wait_ready(self, indexes: set[int], deadline: float) -> None:
        wanted = {self._nodes[i].node_id for i in indexes}
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            for i in indexes:
                node = self._nodes[i]
                if not node.alive():
                    self._fail(node, f"node {node.node_id} exited with code {node.proc.returncode}")
            if all(port_open(self._nodes[i].broker_port) for i in indexes):
                try:
                    live = [f"127.0.0.1:{n.broker_port}" for n in self._nodes if n.alive()]
                    if wanted <= broker_ids(",".join(live), **self._admin_options()):
                        return
                except Exception as exc:  # noqa: BLE001 - not ready yet
                    last_error = exc
            time.sleep(0.2)
        node = self._nodes[min(indexes)]
        self._fail(node, f"Kafka not ready after {self.start_timeout:.0f}s (last metadata error: {last_error!r})")

    def _fail(self, node: _Node, reason: str) -> None:
        errors = error_lines(node.log)
        raise KafkaStartError(
            f"{reason}\nbroker log: {node.log}\n"
            + (f"--- errors in it ---\n{errors}\n" if errors else "")
            + f"--- last lines ---\n{tail(node.log, 25)}\n--- {node.console} ---\n{tail(node.console, 15)}"
        )

    def _terminate(self, timeout: float) -> None:
        running = [n for n in self._nodes if n.alive()]
        for n in running:
            _kill_group(n.proc, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for n in running:
            try:
                n.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("node %d did not stop in %.0fs; SIGKILL", n.node_id, timeout)
        for n in self._nodes:
            if n.alive():  # only signal a group whose leader we have not reaped (pid reuse)
                _kill_group(n.proc, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    n.proc.wait(timeout=10)
