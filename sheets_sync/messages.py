"""Messages from templates: the words of the Drafts tab and of alert e-mails and webhooks.

Templates are Jinja2 files `<language>/<kind>.txt.j2`, rendered in a sandbox because a user may
drop their own file into a `templates` folder beside the workbook (it wins over the shipped
one, file by file). A template may start with a `Subject: ...` line; the rest is the body.
Filters `date`, `money`, `number` and `priced` (the amounts in a text) format for the
message's language (babel). `drafts` and
`notify` both render through here, so neither imports the other.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from babel import Locale
from babel.core import UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from addin import formulas as fm
from addin.decisions import chosen_action
from sheets_sync.settings import Settings
from sheets_sync.types import Target
from sheets_sync.vocab import BY_DOMAIN, SEVERITY, marketplace_of_country
from sheets_sync.workbook import SETTINGS, Problems

SHIPPED_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "messages"
#: Kinds whose reader is outside the company: a missing translation is worth a warning.
EXTERNAL_KINDS = {"buyer_delay", "supplier_expedite", "forwarder_air"}

LANGUAGE_NAMES = {
    "english": "en",
    "german": "de",
    "deutsch": "de",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "italian": "it",
    "italiano": "it",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "japanese": "ja",
    "日本語": "ja",
    "chinese": "zh",
    "中文": "zh",
}


@dataclass
class Message:
    """A rendered template: what the Drafts row and the alert e-mail show."""

    subject: str
    body: str
    language: str
    warnings: list[str] = field(default_factory=list)


def blank(value: Any) -> bool:
    """None, NaN or NaT: a value a template shows as nothing."""
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _as_date(value: Any) -> dt.date | None:
    if blank(value):
        return None
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date()
    return value if isinstance(value, dt.date) else None


@jinja2.pass_context
def _date_filter(ctx: jinja2.runtime.Context, value: Any) -> str:
    day = _as_date(value)
    if day is None:
        return "" if blank(value) else str(value)
    return format_date(day, format="long", locale=ctx.get("locale", "en"))


def money(value: float, currency: str, locale: str = "en") -> str:
    """An amount in Settings `currency` as the locale writes it (`$3,256.32`, `3.256,32 €`):
    the one money formatter of the drafts, the alert digest and the console."""
    return format_currency(value, currency or "USD", locale=locale)


#: An amount in a plan's Action text: `addin.cells.fmt_money` writes each with two decimals
#: (the other numbers there are units, days, percentages and dates, never two decimals).
_AMOUNT = re.compile(r"(?<![\d.,])-?\d{1,3}(?:,\d{3})*\.\d\d(?![\d.])")


def priced(text: str, currency: str, locale: str = "en") -> str:
    """TEXT with every amount in the currency: an Action's `extra cost 3,256.32` reads
    `extra cost $3,256.32` in the console and the digest, where no money column beside it
    says the currency."""
    return _AMOUNT.sub(lambda m: money(float(m[0].replace(",", "")), currency, locale), text)


@jinja2.pass_context
def _money_filter(ctx: jinja2.runtime.Context, value: Any) -> str:
    if blank(value):
        return ""
    return money(value, ctx.get("currency") or "USD", ctx.get("locale", "en"))


@jinja2.pass_context
def _priced_filter(ctx: jinja2.runtime.Context, value: Any) -> str:
    if blank(value):
        return ""
    return priced(str(value), ctx.get("currency") or "USD", ctx.get("locale", "en"))


@jinja2.pass_context
def _number_filter(ctx: jinja2.runtime.Context, value: Any) -> str:
    if blank(value):
        return ""
    return format_decimal(value, format="#,##0.#", locale=ctx.get("locale", "en"))


class ConfinedLoader(jinja2.BaseLoader):
    """Template files (`*.j2`) from the given folders, and nothing else.

    Jinja's own loader follows symlinks and takes any file name, so a user's template could
    `{% include %}` a file from anywhere the folder links to. Here a name is resolved first and
    read only when it is a `.j2` file inside one of the folders: anything else is "not found"
    (nothing outside the folders is ever opened).
    """

    def __init__(self, folders: Sequence[str | Path]) -> None:
        self.folders = [Path(folder).resolve() for folder in folders]

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        if not template.endswith(".j2"):
            raise jinja2.TemplateNotFound(template)
        pieces = split_template_path(template)  # refuses `..`
        for folder in self.folders:
            path = folder.joinpath(*pieces).resolve()
            if path.is_relative_to(folder) and path.is_file():
                mtime = path.stat().st_mtime
                source = path.read_text(encoding="utf-8")
                return source, str(path), functools.partial(_unchanged, path, mtime)
        raise jinja2.TemplateNotFound(template)


def _unchanged(path: Path, mtime: float) -> bool:
    try:
        return path.stat().st_mtime == mtime
    except OSError:
        return False


@lru_cache(maxsize=8)
def _environment(dirs: tuple[str, ...]) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=ConfinedLoader(dirs),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(
        date=_date_filter, money=_money_filter, number=_number_filter, priced=_priced_filter
    )
    return env


def locale_for(language: str, country: str | None = None) -> str:
    """The babel locale for a language, regional when the marketplace tells the country."""
    for candidate in (f"{language}_{country}" if country else None, language):
        if candidate:
            try:
                Locale.parse(candidate)
            except (UnknownLocaleError, ValueError):
                continue
            return candidate
    return "en"


def render_message(
    kind: str,
    language: str,
    context: Mapping[str, Any],
    template_dirs: Sequence[Path],
    *,
    locale: str | None = None,
) -> Message:
    """Render `<language>/<kind>.txt.j2` from the first folder that has it, else English.

    A broken user template never stops the refresh: its error becomes a warning on the draft
    (any exception, since a sandboxed template can still divide by zero).
    """
    env = _environment(tuple(str(d) for d in template_dirs))
    warnings: list[str] = []
    used = language
    try:
        template = env.get_template(f"{language}/{kind}.txt.j2")
    except jinja2.TemplateNotFound:
        used = "en"
        if kind in EXTERNAL_KINDS:
            warnings.append(f"no {language!r} template for {kind}; wrote it in English")
    except jinja2.TemplateError as exc:
        return Message("", "", language, [f"template {language}/{kind}.txt.j2: {exc}"])
    try:
        if used != language:
            template = env.get_template(f"{used}/{kind}.txt.j2")
        loc = locale if locale and used == language else locale_for(used)
        text = template.render({**context, "locale": loc})
    except Exception as exc:  # user template errors become warnings
        return Message("", "", used, [*warnings, f"template {used}/{kind}.txt.j2: {exc}"])
    subject, body = _split_subject(text)
    return Message(subject, body, used, warnings)


def _split_subject(text: str) -> tuple[str, str]:
    lines = text.strip("\n").splitlines()
    if lines and lines[0].lower().startswith("subject:"):
        return lines[0].split(":", 1)[1].strip(), "\n".join(lines[1:]).strip()
    return "", text.strip()


def template_dirs_for(
    target: Target, settings: Settings, problems: Problems | None = None
) -> list[Path]:
    """Where templates are looked up, first match wins: the user's, then the shipped ones.

    The user's folder is `templates` beside a workbook file, or Settings `templates_path`
    (relative to the workbook's folder). Inside it, files may sit under `messages/` as in this
    repository or directly as `<language>/<kind>.txt.j2`. Anyone who can edit the sheet sets
    `templates_path`, so it is used only when it is a folder inside the user's home or the
    workbook's folder, with no hidden folder on the way; otherwise PROBLEMS gets a row saying so.
    """
    roots: list[Path] = []
    own = settings.templates_path
    if own:
        chosen = (target.template_root / Path(str(own)).expanduser()).resolve()
        if _allowed_templates_path(chosen, target):
            roots.append(chosen)
        elif problems is not None:
            problems.add(
                SETTINGS, None, "Value", own,
                "templates_path: templates are read only from a folder inside your home folder "
                "or the workbook's folder (no hidden folders); this one is ignored",
            )  # fmt: skip
    if target.folder is not None:
        roots.append(target.folder / "templates")
    dirs = [root / "messages" if (root / "messages").is_dir() else root for root in roots]
    dirs = [d for d in dirs if d.is_dir()]
    return [*dirs, SHIPPED_TEMPLATES]


def _allowed_templates_path(path: Path, target: Target) -> bool:
    """Strictly inside the user's home or the workbook's folder, through no hidden folder."""
    for base in (Path.home().resolve(), target.folder):
        if base is not None and path != base and path.is_relative_to(base):
            return not any(part.startswith(".") for part in path.relative_to(base).parts)
    return False


def _clean(value: Any) -> Any:
    """Plain Python values for templates: no NaN, NaT, numpy scalars or Timestamps."""
    if isinstance(value, list | tuple):
        return list(value)
    if blank(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def plain_records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    """A plan table as dicts of plain values, the way templates and JSON want them."""
    if frame is None or frame.empty:
        return []
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def buyer_language(language: Any, marketplace: Any, default: str) -> tuple[str, str | None]:
    """The buyer's language and country, from the order's Language, else its Marketplace."""
    country = None
    market = str(marketplace or "").strip().lower().removeprefix("www.").removeprefix("amazon.")
    place = BY_DOMAIN.get(market) or (marketplace_of_country(market) if market else None)
    lang, country = (place.language, place.iso_country) if place else (default, None)
    text = str(language or "").strip()
    if text:
        lang = LANGUAGE_NAMES.get(text.lower(), re.split(r"[-_]", text)[0].lower())
    return lang, country


def digest_context(
    skus: Sequence[Mapping[str, Any]], previous: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What the alert digest template sees: SKUs needing attention, worst first.

    `previous` (notify) maps a SKU to the level last notified, shown as "was ...".
    """
    rows = [
        {
            **s,
            "action_text": chosen_action(s.get("action_text")),
            "was": (previous or {}).get(s["sku"]),
        }
        for s in skus
        if s.get("alert") not in (fm.OK, fm.NO_DATA)
    ]
    rows.sort(key=lambda s: (SEVERITY.get(s["alert"], 9), s.get("days_to_stockout") or 0, s["sku"]))
    counts = {level: sum(r["alert"] == level for r in rows) for level in SEVERITY}
    no_data = [s["sku"] for s in skus if s.get("alert") == fm.NO_DATA]
    return {
        "rows": rows,
        "counts": counts,
        "no_data": no_data,
        "total": len(skus),
        "worsened": previous is not None,
    }
