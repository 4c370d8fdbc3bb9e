"""Alerts that reach people: one digest per refresh, by e-mail and/or a chat webhook.

PLAYBOOK step 5 wants an e-mail when a SKU crosses a warning line. A digest that repeated every
open alert on every refresh would be ignored within a week, so each channel remembers the level
it last announced per SKU (a small JSON file beside the history store) and a refresh sends only
the SKUs whose level got worse since then. A channel that fails keeps its old memory, so the
same news goes out on the next refresh; improvements are remembered at once, so a SKU that
recovers and falls again is announced again.

Configuration comes from the environment, never from the sheet, because it holds secrets:
STOCKOUT_SMTP_HOST, _PORT, _USER, _PASSWORD, _SECURITY (starttls | ssl | none), _FROM,
_CA_FILE (a private CA bundle); recipients are Settings `alert_email_to`. The webhook URL is
STOCKOUT_WEBHOOK_URL or Settings `alert_webhook_url`; its format (slack | feishu | dingtalk)
follows the host or STOCKOUT_WEBHOOK_FORMAT; STOCKOUT_WEBHOOK_SECRET signs Feishu and DingTalk
requests. A DingTalk bot secured by keyword needs that keyword in the digest template.

Delivery problems never raise: the refresh has already saved, and the user gets a plain line
saying what was not sent and why. Passwords and webhook tokens never appear in those lines.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import smtplib
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

import requests

from addin import formulas as fm
from sheets_sync.atomic_file import replace_file
from sheets_sync.deadline import DeadlineExceeded, within
from sheets_sync.messages import (
    SHIPPED_TEMPLATES,
    Message,
    digest_context,
    plain_records,
    render_message,
)
from sheets_sync.plan import Plan
from sheets_sync.settings import Settings
from sheets_sync.types import Target
from sheets_sync.vocab import DANGER

#: Seconds allowed for each step (connect, one answer) with a mail server or webhook.
TIMEOUT = 20
#: Seconds allowed for a whole delivery: a server that drips one line every few seconds never
#: trips TIMEOUT, and must not hold a cron job for minutes.
DEADLINE = 60
SMTP_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
WEBHOOK_HOSTS = {
    "hooks.slack.com": "slack",
    "open.feishu.cn": "feishu",
    "open.larksuite.com": "feishu",
    "oapi.dingtalk.com": "dingtalk",
}


@dataclass
class NotifyResult:
    """What happened to the alerts, as lines a user can read."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def messages(self) -> list[str]:
        return [*self.notes, *self.sent, *self.failed]


class DeliveryError(Exception):
    """A channel could not deliver; the message is safe to show (no secrets)."""


def state_path_for(target: Target) -> Path:
    """The alert memory of TARGET: beside its history store, e.g. `book.stockout-alerts.json`."""
    store = target.store_path
    return store.with_name(store.name.removesuffix(".sqlite") + "-alerts.json")


# --- memory between refreshes ---------------------------------------------------------------


def _load_state(path: Path, result: NotifyResult) -> dict[str, dict[str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        channels = data["channels"]
        return {
            str(name): {str(k): str(v) for k, v in levels.items()}
            for name, levels in channels.items()
        }
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        result.notes.append(f"alert memory {path.name} was unreadable; starting afresh")
        return {}


def _save_state(path: Path, channels: Mapping[str, Mapping[str, str]]) -> None:
    """Write atomically: a crash mid-write must not make every alert look new."""
    data = {"version": 1, "updated": dt.datetime.now().isoformat(timespec="seconds")}
    text = json.dumps({**data, "channels": channels}, indent=1, sort_keys=True)
    replace_file(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _worse(level: str, than: str | None) -> bool:
    return level in DANGER and DANGER[level] > DANGER.get(than or fm.OK, 0)


def _remembered(
    levels: Mapping[str, str], last: Mapping[str, str], delivered: bool
) -> dict[str, str]:
    """What a channel knows after this refresh: everything if it delivered, else only news
    that needs no telling (levels that stayed or improved)."""
    return {
        sku: level if delivered or not _worse(level, last.get(sku)) else last.get(sku, fm.OK)
        for sku, level in levels.items()
    }


# --- channels -------------------------------------------------------------------------------


def _recipients(settings: Settings) -> list[str]:
    return [a for a in re.split(r"[,;\s]+", settings.alert_email_to) if a]


def _send_email(env: Mapping[str, str], to: Sequence[str], message: Message) -> str:
    host = env.get("STOCKOUT_SMTP_HOST", "").strip()
    if not host:
        raise DeliveryError("alert_email_to is set but STOCKOUT_SMTP_HOST is not")
    security = (env.get("STOCKOUT_SMTP_SECURITY") or "starttls").strip().lower()
    if security not in SMTP_PORTS:
        raise DeliveryError(
            f"STOCKOUT_SMTP_SECURITY must be starttls, ssl or none, not {security!r}"
        )
    port_text = env.get("STOCKOUT_SMTP_PORT") or str(SMTP_PORTS[security])
    if not port_text.strip().isdigit():
        raise DeliveryError(f"STOCKOUT_SMTP_PORT must be a number, not {port_text!r}")
    port = int(port_text)
    user = env.get("STOCKOUT_SMTP_USER", "")
    password = env.get("STOCKOUT_SMTP_PASSWORD", "")
    mail = EmailMessage()
    mail["Subject"] = message.subject or "Stockout alerts"
    mail["From"] = env.get("STOCKOUT_SMTP_FROM") or user or "stockout-kit@localhost"
    mail["To"] = ", ".join(to)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain="stockout-kit")
    mail.set_content(message.body)
    ca_file = env.get("STOCKOUT_SMTP_CA_FILE") or None
    try:
        context = ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise DeliveryError(f"STOCKOUT_SMTP_CA_FILE {ca_file}: {reason}") from None
    if security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(timeout=TIMEOUT, context=context)
    else:
        smtp = smtplib.SMTP(timeout=TIMEOUT)
    smtp._host = host  # type: ignore[attr-defined]  # what connect() would set, for TLS's server_hostname check
    watchdog = _Watchdog(smtp)
    try:
        with watchdog, smtp:
            smtp.connect(host, port)
            if security == "starttls":
                smtp.starttls(context=context)
            if user:
                smtp.login(user, password)
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        reason = str(exc) or type(exc).__name__
        if watchdog.expired:
            reason = f"no complete answer within {DEADLINE} s"
        if password:
            reason = reason.replace(password, "***")
        raise DeliveryError(f"{host}:{port}: {reason}") from None
    return f"e-mail to {', '.join(to)}"


class _Watchdog:
    """Hangs up an SMTP conversation still going at DEADLINE: shutting the socket down wakes
    the read that is waiting, which then fails like any dropped connection."""

    def __init__(self, smtp: smtplib.SMTP) -> None:
        self.smtp = smtp
        self.expired = False
        self._timer = threading.Timer(DEADLINE, self._hang_up)
        self._timer.daemon = True

    def _hang_up(self) -> None:
        self.expired = True
        sock = getattr(self.smtp, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def webhook_format(url: str, env: Mapping[str, str]) -> str:
    """slack, feishu or dingtalk: as configured, else by the URL's host (Slack-compatible)."""
    chosen = (env.get("STOCKOUT_WEBHOOK_FORMAT") or "").strip().lower()
    if chosen:
        return chosen
    host = urllib.parse.urlsplit(url).hostname or ""
    return next((fmt for h, fmt in WEBHOOK_HOSTS.items() if host.endswith(h)), "slack")


def _webhook_request(
    url: str, fmt: str, text: str, secret: str, now: float
) -> tuple[str, dict[str, Any]]:
    """The URL and JSON body each chat service expects, signed when a secret is set."""
    if fmt == "slack":
        return url, {"text": text}
    if fmt == "feishu":
        payload: dict[str, Any] = {"msg_type": "text", "content": {"text": text}}
        if secret:
            stamp = str(int(now))
            key = f"{stamp}\n{secret}".encode()
            sign = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            payload.update(timestamp=stamp, sign=sign)
        return url, payload
    if fmt == "dingtalk":
        payload = {"msgtype": "text", "text": {"content": text}}
        if secret:
            stamp = str(int(now * 1000))
            digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256)
            sign = urllib.parse.quote_plus(base64.b64encode(digest.digest()).decode())
            url += ("&" if "?" in url else "?") + f"timestamp={stamp}&sign={sign}"
        return url, payload
    raise DeliveryError(f"STOCKOUT_WEBHOOK_FORMAT must be slack, feishu or dingtalk, not {fmt!r}")


def _post_webhook(url: str, env: Mapping[str, str], message: Message) -> str:
    fmt = webhook_format(url, env)
    host = urllib.parse.urlsplit(url).hostname or "?"
    label = f"{fmt} webhook at {host}"
    text = f"{message.subject}\n\n{message.body}".strip()
    secret = env.get("STOCKOUT_WEBHOOK_SECRET", "")
    address, payload = _webhook_request(url, fmt, text, secret, time.time())
    try:
        response = within(DEADLINE, requests.post, address, json=payload, timeout=(5, TIMEOUT))
    except DeadlineExceeded:
        raise DeliveryError(f"{label}: no complete answer within {DEADLINE} s") from None
    except requests.Timeout:
        raise DeliveryError(f"{label}: no answer within {TIMEOUT} s") from None
    except requests.RequestException as exc:
        # the exception text would repeat the URL, whose path is the bot's secret token
        raise DeliveryError(f"{label}: could not connect ({type(exc).__name__})") from None
    if response.status_code >= 400:
        raise DeliveryError(f"{label}: HTTP {response.status_code}")
    if fmt in ("feishu", "dingtalk"):
        try:
            answer = response.json()
        except ValueError:
            raise DeliveryError(f"{label}: unexpected answer") from None
        code = answer.get("code", answer.get("StatusCode", answer.get("errcode", 0)))
        if code not in (0, None):
            reason = answer.get("msg") or answer.get("errmsg") or answer.get("StatusMessage")
            raise DeliveryError(f"{label}: refused ({code}: {reason})")
    return label


# --- the digest -----------------------------------------------------------------------------


def send_alerts(
    plan: Plan,
    *,
    state_path: Path,
    settings: Settings,
    env: Mapping[str, str] = os.environ,
    template_dirs: Sequence[Path] = (SHIPPED_TEMPLATES,),
) -> NotifyResult:
    """Send one digest per configured channel with the SKUs that got worse since its last one.

    Never raises: delivery problems and a memory file that cannot be saved become lines in
    `NotifyResult.failed`, so the refresh that called it still finishes.
    """
    result = NotifyResult()
    skus = plain_records(plan.skus)
    levels = {str(s["sku"]): str(s["alert"]) for s in skus if s.get("alert") in DANGER}
    senders = []
    to = _recipients(settings)
    if to:
        senders.append(("email", lambda m: _send_email(env, to, m)))
    url = (env.get("STOCKOUT_WEBHOOK_URL") or settings.alert_webhook_url).strip()
    if url:
        senders.append(("webhook", lambda m: _post_webhook(url, env, m)))
    if not senders:
        result.notes.append(
            "no alerts sent: set alert_email_to (Settings) or STOCKOUT_WEBHOOK_URL to get them"
        )
        return result
    memory = _load_state(state_path, result)
    language = settings.sheet_language
    currency = settings.currency
    for name, send in senders:
        last = memory.get(name, {})
        worse = [s for s in skus if _worse(str(s.get("alert")), last.get(str(s["sku"])))]
        delivered = True
        if not worse:
            result.notes.append(f"{name}: no alert got worse since the last notice")
        else:
            context = {"as_of": plan.as_of, "currency": currency}
            context.update(digest_context(worse, previous=last), total=len(skus))
            message = render_message("alert_digest", language, context, template_dirs)
            try:
                if not message.body:
                    raise DeliveryError("; ".join(message.warnings) or "empty digest")
                where = send(message)
                result.sent.append(f"{where}: {len(worse)} SKU(s) got worse")
            except DeliveryError as exc:
                delivered = False
                result.failed.append(f"{name} alert not sent: {exc}")
        memory[name] = _remembered(levels, last, delivered)
    try:
        _save_state(state_path, memory)
    except OSError as exc:
        result.failed.append(
            f"alert memory not saved to {state_path} ({exc.strerror or exc}): "
            "the same alerts will be sent again"
        )
    return result
