"""How every Kafka client of the project connects: one place that turns the ``DIPLOWATCH_KAFKA_*``
security settings into client settings.

    client_options(s)     keyword arguments for any aiokafka client (producer, consumer, admin,
                          AIOKafkaClient): security_protocol, ssl_context, sasl_mechanism, ...
    faust_credentials(s)  the same for the Faust app (its ``broker_credentials`` setting), which
                          Faust hands to its own consumer, producer and topic creation

Protocols: PLAINTEXT (the default), SSL (TLS, optionally with a client certificate), SASL_PLAINTEXT
and SASL_SSL with the PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 mechanism. TLS checks the broker's
certificate against ``KAFKA_SSL_CAFILE`` (or the system's CA store) and, unless turned off, that it
names the host the client connected to. The password can come from a file
(``KAFKA_SASL_PASSWORD_FILE``) so that it need not sit in the environment.

``start_client(client, s)`` starts an aiokafka client and, when it cannot connect, raises
``KafkaAccessError`` with one line naming the likely cause (wrong credentials, a certificate that
does not verify, a broker that does not speak the protocol), for the commands to print instead of
a traceback. aiokafka itself raises only "Unable to bootstrap from [...]" and logs the cause (the
SASL or TLS error) one line earlier; that record is taken from its log instead of printed.
"""
from __future__ import annotations

import contextlib
import logging
import ssl
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from streams.settings import Settings

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


def uses_tls(s: "Settings") -> bool:
    return s.kafka_security_protocol in ("SSL", "SASL_SSL")


def uses_sasl(s: "Settings") -> bool:
    return s.kafka_security_protocol in ("SASL_PLAINTEXT", "SASL_SSL")


def security_problems(s: "Settings") -> list[str]:
    """What is wrong with the security settings (empty: nothing); Settings raises them."""
    out = []
    if s.kafka_security_protocol not in PROTOCOLS:
        out.append(f"DIPLOWATCH_KAFKA_SECURITY_PROTOCOL must be one of {', '.join(PROTOCOLS)}")
        return out
    if uses_sasl(s):
        if s.kafka_sasl_mechanism not in MECHANISMS:
            out.append(f"DIPLOWATCH_KAFKA_SASL_MECHANISM must be one of {', '.join(MECHANISMS)}")
        if not s.kafka_sasl_username:
            out.append(f"DIPLOWATCH_KAFKA_SASL_USERNAME is needed with {s.kafka_security_protocol}")
        if not (s.kafka_sasl_password or s.kafka_sasl_password_file):
            out.append("DIPLOWATCH_KAFKA_SASL_PASSWORD (or _PASSWORD_FILE) is needed with "
                       f"{s.kafka_security_protocol}")
        if s.kafka_sasl_password_file and not Path(s.kafka_sasl_password_file).is_file():
            out.append(f"DIPLOWATCH_KAFKA_SASL_PASSWORD_FILE: no such file: {s.kafka_sasl_password_file}")
    if uses_tls(s):
        for name in ("kafka_ssl_cafile", "kafka_ssl_certfile", "kafka_ssl_keyfile"):
            path = getattr(s, name)
            if path and not Path(path).is_file():
                out.append(f"DIPLOWATCH_{name.upper()}: no such file: {path}")
        if s.kafka_ssl_keyfile and not s.kafka_ssl_certfile:
            out.append("DIPLOWATCH_KAFKA_SSL_KEYFILE needs DIPLOWATCH_KAFKA_SSL_CERTFILE")
    return out


def sasl_password(s: "Settings") -> str:
    if s.kafka_sasl_password_file:
        text = Path(s.kafka_sasl_password_file).read_text(encoding="utf-8")
        return text.splitlines()[0] if text else ""
    return s.kafka_sasl_password


def ssl_context(s: "Settings") -> ssl.SSLContext | None:
    """The TLS context of SSL and SASL_SSL (None for the plaintext protocols): the broker's
    certificate must chain to the CA file (or the system's CAs) and, unless turned off, name the
    host; TLS 1.2 at least (Python's default context)."""
    if not uses_tls(s):
        return None
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=s.kafka_ssl_cafile or None)
    ctx.check_hostname = s.kafka_ssl_check_hostname
    if s.kafka_ssl_certfile:
        ctx.load_cert_chain(s.kafka_ssl_certfile, s.kafka_ssl_keyfile or None)
    return ctx


def client_options(s: "Settings") -> dict[str, Any]:
    """Keyword arguments for aiokafka's clients (AIOKafkaProducer, AIOKafkaConsumer,
    AIOKafkaAdminClient, AIOKafkaClient all take the same ones)."""
    opts: dict[str, Any] = {"security_protocol": s.kafka_security_protocol}
    ctx = ssl_context(s)
    if ctx is not None:
        opts["ssl_context"] = ctx
    if uses_sasl(s):
        opts.update(sasl_mechanism=s.kafka_sasl_mechanism, sasl_plain_username=s.kafka_sasl_username,
                    sasl_plain_password=sasl_password(s))
    return opts


def faust_credentials(s: "Settings"):
    """Faust's ``broker_credentials`` for these settings (None: plaintext). Faust maps them to the
    same aiokafka arguments as ``client_options`` (faust.transport.drivers.aiokafka
    ``credentials_to_aiokafka_auth``) for its consumer, producer and topic creation."""
    from faust.auth import SASLCredentials, SSLCredentials

    if uses_sasl(s):
        creds = SASLCredentials(username=s.kafka_sasl_username, password=sasl_password(s),
                                ssl_context=ssl_context(s), mechanism=s.kafka_sasl_mechanism)
        if s.kafka_security_protocol == "SASL_PLAINTEXT":
            # Faust picks SASL_SSL only when given a context; say so explicitly all the same
            from faust.types.auth import AuthProtocol
            creds.protocol = AuthProtocol.SASL_PLAINTEXT
        return creds
    if uses_tls(s):
        return SSLCredentials(ssl_context(s))
    return None


def describe(s: "Settings") -> str:
    """The connection in a few words, without the password: for log lines and errors."""
    text = s.kafka_security_protocol
    if uses_sasl(s):
        text += f" {s.kafka_sasl_mechanism} as {s.kafka_sasl_username!r}"
    return text


def connection_error(exc: BaseException, s: "Settings") -> str:
    """One line saying why a client could not talk to the brokers, naming the likely cause."""
    text = str(exc) if type(exc).__name__ in str(exc) else \
        f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    chain = []
    e: BaseException | None = exc
    while e is not None and len(chain) < 6:
        chain.append(e)
        e = e.__cause__ or e.__context__
    names = " ".join(type(x).__name__ for x in chain)
    words = " ".join(str(x) for x in chain).lower()
    where = f"{s.kafka_bootstrap} ({describe(s)})"
    if "authentication" in names.lower() or "authentication" in words or "sasl" in words:
        cause = "authentication failed: check DIPLOWATCH_KAFKA_SASL_USERNAME/PASSWORD and _MECHANISM"
    elif any(isinstance(x, ssl.SSLCertVerificationError) for x in chain) or "certificate verify" in words:
        cause = "the broker's TLS certificate did not verify: check DIPLOWATCH_KAFKA_SSL_CAFILE"
    elif any(isinstance(x, ssl.SSLError) for x in chain) or "ssl" in words:
        cause = "TLS handshake failed: does the broker listen with SSL/SASL_SSL on that port?"
    else:
        cause = "cannot reach the brokers (wrong address, broker down, or another security protocol)"
    return f"{cause} on {where}: {text}".replace("\n", " ")


class KafkaAccessError(RuntimeError):
    """A client could not connect; the message is one line saying why."""


class _Collect(logging.Filter):
    """Takes aiokafka's "Unable connect to ..." records (keeping their exception); lets the rest pass."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[BaseException] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith("Unable connect to"):
            return True
        self.errors.extend(a for a in (record.args or ()) if isinstance(a, BaseException))
        return False


@contextlib.contextmanager
def _connect_errors() -> Iterator[list[BaseException]]:
    """The exceptions aiokafka's client logs while bootstrapping, collected instead of printed
    (aiokafka.client logs them on the "aiokafka" logger)."""
    logger = logging.getLogger("aiokafka")
    collect = _Collect()
    logger.addFilter(collect)
    try:
        yield collect.errors
    finally:
        logger.removeFilter(collect)


async def start_client(client: Any, s: "Settings") -> None:
    """``await client.start()`` for an aiokafka producer, consumer or admin client; a client that
    cannot connect is stopped and KafkaAccessError says why in one line."""
    with _connect_errors() as seen:
        try:
            await client.start()
        except Exception as exc:   # noqa: BLE001 - every failure to connect becomes one line
            with contextlib.suppress(Exception):
                await (client.close() if hasattr(client, "close") else client.stop())
            raise KafkaAccessError(connection_error(seen[-1] if seen else exc, s)) from exc
