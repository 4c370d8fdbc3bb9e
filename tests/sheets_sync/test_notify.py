"""Alert digests over a real SMTP server and real HTTP receivers, all on loopback."""

from __future__ import annotations

import base64
import datetime as dt
import email
import hashlib
import hmac
import ipaddress
import json
import socket
import ssl
import threading
import time
import urllib.parse
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pandas as pd
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sheets_sync import notify
from sheets_sync.backends import parse_target
from sheets_sync.notify import send_alerts, state_path_for, webhook_format
from sheets_sync.settings import Settings
from stockout_testing.drip import dripping_server

AS_OF = dt.date(2025, 3, 3)
USER, PASSWORD = "alerts@shop.test", "s3cret-Pa55"


def make_plan(**alerts: str) -> SimpleNamespace:
    """A plan with the contract's columns that a digest reads, one row per SKU=ALERT."""
    rows = [
        dict(
            sku=sku.replace("_", "-"), title=f"Product {sku}", alert=alert, available=5,
            stockout_date=AS_OF + dt.timedelta(days=4), days_to_stockout=4, lost_units=12,
            back_in_stock=AS_OF + dt.timedelta(days=20),
            lost_revenue=299.88, action_text=f"Act on {sku}",
        )
        for sku, alert in alerts.items()
    ]  # fmt: skip
    return SimpleNamespace(as_of=AS_OF, skus=pd.DataFrame(rows))


# --- a real SMTP server ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1; the client trusts it as its CA file."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class Inbox:
    """aiosmtpd handler that keeps every message and the login it came with."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []
        self.logins: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == PASSWORD.encode()
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)  # False: reply 535 on failure


@pytest.fixture
def smtp_server(tls_files):
    """Start a loopback SMTP server in the requested mode; yields (inbox, env)."""
    cert_file, key_file = tls_files
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    started = []

    def start(security: str):
        inbox, port = Inbox(), free_port()
        kwargs = dict(authenticator=inbox.authenticate, auth_require_tls=True)
        if security == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        elif security == "ssl":  # the whole connection is TLS: aiosmtpd cannot tell
            kwargs.update(ssl_context=context, auth_require_tls=False)
        else:
            kwargs = dict(auth_require_tls=False)
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        started.append(controller)
        env = {
            "STOCKOUT_SMTP_HOST": "127.0.0.1",
            "STOCKOUT_SMTP_PORT": str(port),
            "STOCKOUT_SMTP_SECURITY": security,
            "STOCKOUT_SMTP_CA_FILE": str(cert_file),
            "STOCKOUT_SMTP_FROM": "Stockout <alerts@shop.test>",
        }
        if security != "none":
            env.update(STOCKOUT_SMTP_USER=USER, STOCKOUT_SMTP_PASSWORD=PASSWORD)
        return inbox, env

    yield start
    for controller in started:
        controller.stop()


TO = Settings(alert_email_to="ops@shop.test; buyer@shop.test")


def test_first_digest_goes_out_over_starttls_with_login(smtp_server, tmp_path):
    inbox, env = smtp_server("starttls")
    state = tmp_path / "book.stockout-alerts.json"
    plan = make_plan(MUG_01="OUT", LAMP_02="CRITICAL", BAG_03="OK", NEW_04="NO DATA")
    result = send_alerts(plan, state_path=state, settings=TO, env=env)
    assert result.failed == []
    assert result.sent == ["e-mail to ops@shop.test, buyer@shop.test: 2 SKU(s) got worse"]
    assert inbox.logins == [USER]
    [mail] = inbox.messages
    assert mail["Subject"] == "Stockout alerts March 3, 2025: 1 OUT, 1 CRITICAL"
    assert mail["To"] == "ops@shop.test, buyer@shop.test"
    assert inbox.envelopes[0].rcpt_tos == ["ops@shop.test", "buyer@shop.test"]
    body = mail.get_content()
    assert body.index("OUT: MUG-01, Product MUG_01") < body.index("CRITICAL: LAMP-02")
    assert "5 available, sells out March 7, 2025, 12 units ($299.88) at risk" in body
    assert "BAG-03" not in body and "NEW-04" not in body
    saved = json.loads(state.read_text())
    assert saved["channels"] == {"email": {"MUG-01": "OUT", "LAMP-02": "CRITICAL", "BAG-03": "OK"}}
    assert [p.name for p in tmp_path.iterdir()] == [state.name]  # no temp file left behind


def test_only_skus_that_got_worse_are_mailed_again(smtp_server, tmp_path):
    inbox, env = smtp_server("starttls")
    state = tmp_path / "alerts.json"

    def run(**alerts):
        return send_alerts(make_plan(**alerts), state_path=state, settings=TO, env=env)

    run(MUG="OUT", LAMP="CRITICAL", BAG="OK")
    quiet = run(MUG="OUT", LAMP="CRITICAL", BAG="OK")
    assert quiet.sent == [] and quiet.failed == []
    assert quiet.notes == ["email: no alert got worse since the last notice"]
    assert len(inbox.messages) == 1

    run(MUG="OUT", LAMP="OUT", BAG="WATCH")
    body = inbox.messages[-1].get_content()
    assert "OUT (was CRITICAL): LAMP" in body
    assert "WATCH (was OK): BAG" in body
    assert body.startswith("2 of 3 SKUs need attention (alert worse than at the last notice)")
    assert "MUG" not in body

    run(MUG="OK", LAMP="OUT", BAG="WATCH")  # MUG recovers: nothing to announce
    assert len(inbox.messages) == 2
    run(MUG="CRITICAL", LAMP="OUT", BAG="WATCH")  # ... and falls again: announced
    assert inbox.messages[-1]["Subject"] == "Stockout alerts March 3, 2025: 1 CRITICAL"


@pytest.mark.parametrize("security", ["ssl", "none"])
def test_implicit_tls_and_plain_smtp(smtp_server, tmp_path, security):
    inbox, env = smtp_server(security)
    result = send_alerts(
        make_plan(A="WARNING"), state_path=tmp_path / "s.json", settings=TO, env=env
    )
    assert result.failed == []
    assert inbox.messages[0]["Subject"] == "Stockout alerts March 3, 2025: 1 WARNING"
    assert inbox.logins == ([USER] if security == "ssl" else [])


def test_a_mail_failure_is_reported_and_retried_on_the_next_refresh(smtp_server, tmp_path):
    inbox, env = smtp_server("starttls")
    state = tmp_path / "s.json"
    down = {**env, "STOCKOUT_SMTP_PORT": str(free_port())}
    result = send_alerts(make_plan(A="OUT", B="OK"), state_path=state, settings=TO, env=down)
    assert result.sent == []
    [failure] = result.failed
    assert failure.startswith(f"email alert not sent: 127.0.0.1:{down['STOCKOUT_SMTP_PORT']}: ")
    assert "refused" in failure.lower()
    assert json.loads(state.read_text())["channels"]["email"] == {"A": "OK", "B": "OK"}

    again = send_alerts(make_plan(A="OUT", B="OK"), state_path=state, settings=TO, env=env)
    assert again.sent == ["e-mail to ops@shop.test, buyer@shop.test: 1 SKU(s) got worse"]
    assert "OUT (was OK): A" in inbox.messages[0].get_content()


def test_a_wrong_password_is_reported_without_showing_any_password(smtp_server, tmp_path):
    inbox, env = smtp_server("starttls")
    env["STOCKOUT_SMTP_PASSWORD"] = "wrong-Pa55"
    result = send_alerts(make_plan(A="OUT"), state_path=tmp_path / "s.json", settings=TO, env=env)
    [failure] = result.failed
    assert "535" in failure  # the server's "authentication failed"
    assert "wrong-Pa55" not in failure and PASSWORD not in failure
    assert inbox.messages == []


@pytest.mark.parametrize(
    ("env", "failure"),
    [
        ({}, "email alert not sent: alert_email_to is set but STOCKOUT_SMTP_HOST is not"),
        (
            {"STOCKOUT_SMTP_HOST": "127.0.0.1", "STOCKOUT_SMTP_SECURITY": "tls13"},
            "email alert not sent: STOCKOUT_SMTP_SECURITY must be starttls, ssl or none, "
            "not 'tls13'",
        ),
        (
            {"STOCKOUT_SMTP_HOST": "127.0.0.1", "STOCKOUT_SMTP_PORT": "587a"},
            "email alert not sent: STOCKOUT_SMTP_PORT must be a number, not '587a'",
        ),
    ],
)
def test_smtp_misconfiguration_is_a_plain_message(tmp_path, env, failure):
    result = send_alerts(make_plan(A="OUT"), state_path=tmp_path / "s.json", settings=TO, env=env)
    assert result.failed == [failure]


def test_recipients_are_found_in_the_settings_of_a_real_plan(smtp_server, tmp_path):
    inbox, env = smtp_server("none")
    plan = make_plan(A="OUT")
    plan.settings = Settings(alert_email_to="boss@shop.test", currency="EUR")
    result = send_alerts(plan, state_path=tmp_path / "s.json", settings=plan.settings, env=env)
    assert result.sent == ["e-mail to boss@shop.test: 1 SKU(s) got worse"]
    assert "12 units (€299.88) at risk" in inbox.messages[0].get_content()


def test_nothing_configured_says_how_to_get_alerts(tmp_path):
    state = tmp_path / "s.json"
    result = send_alerts(make_plan(A="OUT"), state_path=state, settings=Settings(), env={})
    assert result.messages == [
        "no alerts sent: set alert_email_to (Settings) or STOCKOUT_WEBHOOK_URL to get them"
    ]
    assert not state.exists()


def test_an_unreadable_memory_starts_afresh(smtp_server, tmp_path):
    inbox, env = smtp_server("none")
    state = tmp_path / "s.json"
    state.write_text("{not json")
    result = send_alerts(make_plan(A="WATCH"), state_path=state, settings=TO, env=env)
    assert result.notes == ["alert memory s.json was unreadable; starting afresh"]
    assert len(inbox.messages) == 1


def test_a_memory_that_cannot_be_saved_is_reported(smtp_server, tmp_path):
    inbox, env = smtp_server("none")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    state = blocker / "s.json"
    result = send_alerts(make_plan(A="OUT"), state_path=state, settings=TO, env=env)
    assert len(inbox.messages) == 1
    [failure] = result.failed
    assert failure.startswith(f"alert memory not saved to {state} (")
    assert failure.endswith("): the same alerts will be sent again")


def test_state_lives_beside_the_history_store(tmp_path):
    assert (
        state_path_for(parse_target(tmp_path / "book.xlsx"))
        == tmp_path / "book.stockout-alerts.json"
    )


# --- webhooks -------------------------------------------------------------------------------


class Receiver:
    """A loopback HTTP server that records each POST and answers as told."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status, self.answer, self.delay = 200, {"code": 0, "errcode": 0}, 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                url = urllib.parse.urlsplit(self.path)
                receiver.requests.append(
                    {
                        "path": url.path,
                        "query": dict(urllib.parse.parse_qsl(url.query)),
                        "json": json.loads(self.rfile.read(length)),
                    }
                )
                time.sleep(receiver.delay)
                data = json.dumps(receiver.answer).encode()
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook/TOKEN123"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def test_slack_webhook_from_settings(receiver, tmp_path):
    result = send_alerts(
        make_plan(A="CRITICAL"),
        state_path=tmp_path / "s.json",
        settings=Settings(alert_webhook_url=receiver.url),
        env={},
    )
    assert result.sent == ["slack webhook at 127.0.0.1: 1 SKU(s) got worse"]
    [req] = receiver.requests
    assert req["path"] == "/hook/TOKEN123"
    text = req["json"]["text"]
    assert text.startswith("Stockout alerts March 3, 2025: 1 CRITICAL\n\n")
    assert "CRITICAL: A, Product A" in text


def test_feishu_webhook_is_signed(receiver, tmp_path):
    env = {
        "STOCKOUT_WEBHOOK_URL": receiver.url,
        "STOCKOUT_WEBHOOK_FORMAT": "feishu",
        "STOCKOUT_WEBHOOK_SECRET": "fs-secret",
    }
    result = send_alerts(
        make_plan(A="OUT"), state_path=tmp_path / "s.json", settings=Settings(), env=env
    )
    assert result.failed == []
    body = receiver.requests[0]["json"]
    assert body["msg_type"] == "text"
    assert "OUT: A" in body["content"]["text"]
    key = f"{body['timestamp']}\n{'fs-secret'}".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["sign"] == expected
    assert abs(int(body["timestamp"]) - time.time()) < 60


def test_dingtalk_webhook_is_signed_in_the_url(receiver, tmp_path):
    env = {
        "STOCKOUT_WEBHOOK_URL": receiver.url + "?access_token=abc",
        "STOCKOUT_WEBHOOK_FORMAT": "dingtalk",
        "STOCKOUT_WEBHOOK_SECRET": "SECdd",
    }
    result = send_alerts(
        make_plan(A="OUT"), state_path=tmp_path / "s.json", settings=Settings(), env=env
    )
    assert result.failed == []
    req = receiver.requests[0]
    assert req["json"]["msgtype"] == "text"
    assert "OUT: A" in req["json"]["text"]["content"]
    stamp = req["query"]["timestamp"]
    digest = hmac.new(b"SECdd", f"{stamp}\nSECdd".encode(), hashlib.sha256).digest()
    assert req["query"]["access_token"] == "abc"
    assert req["query"]["sign"] == base64.b64encode(digest).decode()


@pytest.mark.parametrize(
    ("url", "fmt"),
    [
        ("https://hooks.slack.com/services/T/B/X", "slack"),
        ("https://open.feishu.cn/open-apis/bot/v2/hook/x", "feishu"),
        ("https://open.larksuite.com/open-apis/bot/v2/hook/x", "feishu"),
        ("https://oapi.dingtalk.com/robot/send?access_token=x", "dingtalk"),
        ("https://chat.example.com/hooks/x", "slack"),
    ],
)
def test_webhook_format_follows_the_host(url, fmt):
    assert webhook_format(url, {}) == fmt


@pytest.mark.parametrize(
    ("fmt", "status", "answer", "failure"),
    [
        ("slack", 500, {}, "HTTP 500"),
        ("dingtalk", 200, {"errcode": 310000, "errmsg": "sign not match"}, "refused (310000: "),
        ("feishu", 200, {"code": 19021, "msg": "sign match fail"}, "refused (19021: sign"),
    ],
)
def test_a_refused_webhook_is_reported_without_its_token(
    receiver, tmp_path, fmt, status, answer, failure
):
    receiver.status, receiver.answer = status, answer
    env = {"STOCKOUT_WEBHOOK_URL": receiver.url, "STOCKOUT_WEBHOOK_FORMAT": fmt}
    result = send_alerts(
        make_plan(A="OUT"), state_path=tmp_path / "s.json", settings=Settings(), env=env
    )
    [message] = result.failed
    assert message.startswith(f"webhook alert not sent: {fmt} webhook at 127.0.0.1: {failure}")
    assert "TOKEN123" not in " ".join(result.messages)


def test_unreachable_and_slow_webhooks_are_reported(receiver, tmp_path, monkeypatch):
    gone = f"http://127.0.0.1:{free_port()}/hook/TOKEN123"
    result = send_alerts(
        make_plan(A="OUT"), state_path=tmp_path / "a.json", settings=Settings(), env={
            "STOCKOUT_WEBHOOK_URL": gone}
    )  # fmt: skip
    assert result.failed == [
        "webhook alert not sent: slack webhook at 127.0.0.1: could not connect (ConnectionError)"
    ]
    monkeypatch.setattr(notify, "TIMEOUT", 0.3)
    receiver.delay = 1.0
    result = send_alerts(
        make_plan(A="OUT"), state_path=tmp_path / "b.json", settings=Settings(), env={
            "STOCKOUT_WEBHOOK_URL": receiver.url}
    )  # fmt: skip
    assert result.failed == [
        "webhook alert not sent: slack webhook at 127.0.0.1: no answer within 0.3 s"
    ]


def test_each_channel_remembers_on_its_own(smtp_server, receiver, tmp_path):
    inbox, env = smtp_server("none")
    env["STOCKOUT_WEBHOOK_URL"] = receiver.url
    state = tmp_path / "s.json"
    receiver.status = 503
    first = send_alerts(make_plan(A="OUT"), state_path=state, settings=TO, env=env)
    assert len(first.sent) == 1 and len(first.failed) == 1
    receiver.status = 200
    second = send_alerts(make_plan(A="OUT"), state_path=state, settings=TO, env=env)
    assert second.sent == ["slack webhook at 127.0.0.1: 1 SKU(s) got worse"]
    assert second.notes == ["email: no alert got worse since the last notice"]
    assert len(inbox.messages) == 1 and len(receiver.requests) == 2


# --- bounded waits ----------------------------------------------------------------------------


def test_a_dripping_mail_server_is_given_up_at_the_deadline(tmp_path, monkeypatch):
    monkeypatch.setattr(notify, "DEADLINE", 1.5)
    with dripping_server("smtp") as address:
        env = {"STOCKOUT_SMTP_HOST": "127.0.0.1", "STOCKOUT_SMTP_PORT": address.split(":")[1],
               "STOCKOUT_SMTP_SECURITY": "none"}  # fmt: skip
        started = time.monotonic()
        result = send_alerts(
            make_plan(A="OUT"), state_path=tmp_path / "s.json", settings=TO, env=env
        )
    took = time.monotonic() - started
    assert 1.4 < took < 15
    assert result.failed == [
        f"email alert not sent: 127.0.0.1:{env['STOCKOUT_SMTP_PORT']}: "
        "no complete answer within 1.5 s"
    ]


def test_a_dripping_webhook_is_given_up_at_the_deadline(tmp_path, monkeypatch):
    monkeypatch.setattr(notify, "DEADLINE", 1.5)
    with dripping_server("http") as address:
        started = time.monotonic()
        result = send_alerts(
            make_plan(A="OUT"), state_path=tmp_path / "s.json", settings=Settings(),
            env={"STOCKOUT_WEBHOOK_URL": f"http://{address}/hook/TOKEN123"},
        )  # fmt: skip
    assert 1.4 < time.monotonic() - started < 15
    assert result.failed == [
        "webhook alert not sent: slack webhook at 127.0.0.1: no complete answer within 1.5 s"
    ]


def test_a_ca_file_that_is_not_there_is_a_failed_delivery(tmp_path):
    env = {"STOCKOUT_SMTP_HOST": "127.0.0.1", "STOCKOUT_SMTP_CA_FILE": str(tmp_path / "no.pem")}
    result = send_alerts(make_plan(A="OUT"), state_path=tmp_path / "s.json", settings=TO, env=env)
    assert result.failed == [
        f"email alert not sent: STOCKOUT_SMTP_CA_FILE {tmp_path / 'no.pem'}: "
        "No such file or directory"
    ]
