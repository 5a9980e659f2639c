"""streams.security: the one place that turns DIPLOWATCH_KAFKA_* settings into client settings."""
from __future__ import annotations

import ssl
import subprocess

import pytest

from streams.security import (client_options, connection_error, describe, faust_credentials,
                              sasl_password)
from streams.settings import Settings


def settings(**env: str) -> Settings:
    return Settings.from_env({f"DIPLOWATCH_{k.upper()}": v for k, v in env.items()})


@pytest.fixture(scope="module")
def ca_pem(tmp_path_factory):
    """A real CA certificate (openssl if present, else the system bundle's first file)."""
    d = tmp_path_factory.mktemp("ca")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=test-ca", "-keyout", str(d / "ca.key"), "-out", str(d / "ca.pem")],
                       capture_output=True)
    if r.returncode != 0:
        pytest.skip("openssl not available to make a test certificate")
    return d


def test_plaintext_is_the_default():
    s = Settings.from_env({})
    assert client_options(s) == {"security_protocol": "PLAINTEXT"}
    assert faust_credentials(s) is None


def test_sasl_ssl_scram(ca_pem):
    s = settings(kafka_security_protocol="SASL_SSL", kafka_sasl_mechanism="SCRAM-SHA-512",
                 kafka_sasl_username="bob", kafka_sasl_password="pw", kafka_ssl_cafile=str(ca_pem / "ca.pem"))
    o = client_options(s)
    assert o["security_protocol"] == "SASL_SSL" and o["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (o["sasl_plain_username"], o["sasl_plain_password"]) == ("bob", "pw")
    ctx = o["ssl_context"]
    assert isinstance(ctx, ssl.SSLContext) and ctx.check_hostname and ctx.verify_mode == ssl.CERT_REQUIRED
    assert any(c["subject"] == ((("commonName", "test-ca"),),) for c in ctx.get_ca_certs())


def test_faust_gets_the_same_connection_as_the_plain_clients(ca_pem):
    """Faust's own mapping of its credentials gives its consumer and producer the same arguments."""
    from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
    for proto in ("SASL_SSL", "SASL_PLAINTEXT", "SSL"):
        s = settings(kafka_security_protocol=proto, kafka_sasl_mechanism="SCRAM-SHA-256",
                     kafka_sasl_username="bob", kafka_sasl_password="pw",
                     kafka_ssl_cafile=str(ca_pem / "ca.pem"))
        ours, theirs = client_options(s), dict(credentials_to_aiokafka_auth(faust_credentials(s)))
        assert theirs["security_protocol"] == ours["security_protocol"] == proto
        for key in ("sasl_mechanism", "sasl_plain_username", "sasl_plain_password"):
            assert theirs.get(key) == ours.get(key)
        assert (theirs.get("ssl_context") is None) == (ours.get("ssl_context") is None)


def test_ssl_with_client_certificate_and_no_hostname_check(ca_pem):
    s = settings(kafka_security_protocol="SSL", kafka_ssl_cafile=str(ca_pem / "ca.pem"),
                 kafka_ssl_certfile=str(ca_pem / "ca.pem"), kafka_ssl_keyfile=str(ca_pem / "ca.key"),
                 kafka_ssl_check_hostname="false")
    o = client_options(s)
    assert o["security_protocol"] == "SSL" and "sasl_mechanism" not in o
    assert o["ssl_context"].check_hostname is False


def test_password_file_and_password_never_shown(tmp_path):
    (tmp_path / "pw").write_text("from-file\nignored\n")
    s = settings(kafka_security_protocol="SASL_PLAINTEXT", kafka_sasl_username="bob",
                 kafka_sasl_password="in-env", kafka_sasl_password_file=str(tmp_path / "pw"))
    assert sasl_password(s) == "from-file" and client_options(s)["sasl_plain_password"] == "from-file"
    assert "in-env" not in repr(s) and "from-file" not in describe(s)
    assert describe(s) == "SASL_PLAINTEXT PLAIN as 'bob'"


@pytest.mark.parametrize("env, fragment", [
    ({"kafka_security_protocol": "SASL"}, "SECURITY_PROTOCOL must be one of"),
    ({"kafka_security_protocol": "SASL_SSL", "kafka_sasl_username": "u", "kafka_sasl_password": "p",
      "kafka_sasl_mechanism": "GSSAPI"}, "SASL_MECHANISM must be one of"),
    ({"kafka_security_protocol": "SASL_SSL", "kafka_sasl_password": "p"}, "SASL_USERNAME is needed"),
    ({"kafka_security_protocol": "SASL_SSL", "kafka_sasl_username": "u"}, "SASL_PASSWORD"),
    ({"kafka_security_protocol": "SSL", "kafka_ssl_cafile": "/no/such.pem"}, "SSL_CAFILE: no such file"),
    ({"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_sasl_username": "u",
      "kafka_sasl_password_file": "/no/such"}, "PASSWORD_FILE: no such file"),
])
def test_bad_security_settings_name_the_variable(env, fragment):
    with pytest.raises(ValueError, match=fragment):
        settings(**env)


def test_connection_errors_name_the_cause():
    s = settings(kafka_security_protocol="SASL_PLAINTEXT", kafka_sasl_username="bob",
                 kafka_sasl_password="secret", kafka_bootstrap="127.0.0.1:1")
    from aiokafka.errors import KafkaConnectionError, SaslAuthenticationFailed
    auth = connection_error(SaslAuthenticationFailed("Authentication failed: Invalid username or password"), s)
    assert auth.startswith("authentication failed") and "'bob'" in auth and "secret" not in auth
    assert "\n" not in auth
    cert = connection_error(ssl.SSLCertVerificationError(1, "certificate verify failed"), s)
    assert cert.startswith("the broker's TLS certificate did not verify")
    down = connection_error(KafkaConnectionError("Unable to bootstrap from [...]"), s)
    assert down.startswith("cannot reach the brokers") and "127.0.0.1:1" in down


@pytest.mark.parametrize("on", [False, True])
def test_faust_table_and_router_views_follow_the_setting(on, tmp_path):
    from streams.app import create_app
    s = settings(web_table_views=str(on).lower(), data_dir=str(tmp_path), instance_id="none")
    app = create_app(s).app
    served = {prefix for prefix, _ in app.web._enabled_blueprints()}
    assert ({"/router", "/table"} <= served) is on
    assert not ({"/router", "/table"} & served) or on
    assert "/graph" not in served   # Faust's debug views stay off either way
