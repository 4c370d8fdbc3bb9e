"""What each command's `--help` shows after its options: examples, exit codes, environment.

One place for these words, so every command says the exit codes the same way and a test can
check that each command documents the environment variables the code reads. `\\b` keeps Click
from rewrapping a block.
"""

from __future__ import annotations

from sheets_sync.exits import ExitCode

#: What each exit code (`sheets_sync.exits.ExitCode`) means, as every command uses them.
EXIT_CODES = (
    (ExitCode.OK, "done, nothing to report"),
    (ExitCode.PROBLEMS, "done, but look: problems listed (Problems tab, or `problems` in --json)"),
    (ExitCode.REFUSED, "refused, nothing written: bad usage, unreadable target, Excel has it open"),
    (ExitCode.CRASHED, "a bug: the traceback is in the log file the message names"),
)
GOOGLE = (
    ("STOCKOUT_GOOGLE_CREDENTIALS", "service-account key or OAuth file (path or JSON) for gsheet:"),
    ("GOOGLE_APPLICATION_CREDENTIALS", "service-account key file, if the above is not set"),
    ("STOCKOUT_SHEETS_API", "another Sheets API address (a local test server); no credentials"),
)
STORE = (
    ("STOCKOUT_HOME", "folder of history stores for Google Sheets (default: user data dir)"),
    ("STOCKOUT_LOCK_WAIT", "seconds to wait for another refresh of the same workbook (default 20)"),
)
NOTIFY = (
    ("STOCKOUT_SMTP_HOST, STOCKOUT_SMTP_PORT, STOCKOUT_SMTP_SECURITY", "mail server"),
    ("STOCKOUT_SMTP_USER, STOCKOUT_SMTP_PASSWORD, STOCKOUT_SMTP_FROM", "mail account, sender"),
    ("STOCKOUT_SMTP_CA_FILE", "CA bundle for a mail server with its own certificate"),
    ("STOCKOUT_WEBHOOK_URL, STOCKOUT_WEBHOOK_FORMAT, STOCKOUT_WEBHOOK_SECRET", "chat webhook"),
)
AMAZON = (
    ("SP_API_REFRESH_TOKEN, LWA_APP_ID, LWA_CLIENT_SECRET", "Amazon SP-API credentials"),
    ("SP_API_MARKETPLACE, SP_API_DEFAULT_MARKETPLACE", "marketplace: US, DE, JP, … (default US)"),
)
SERVER = (
    ("STOCKOUT_SERVER_TOKENS", "bearer tokens the Google menu may use (comma-separated)"),
    ("STOCKOUT_ALLOWED_SHEETS", "spreadsheet ids the server may refresh (optional)"),
)

#: command -> (examples, environment variables it reads)
COMMANDS: dict[str, tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = {
    "refresh": (
        (
            "stockout refresh shop.xlsx",
            "stockout refresh shop.xlsx --as-of 2026-12-01 --dry-run",
            "stockout refresh gsheet:1AbC...xyz --notify",
            "stockout refresh shop.xlsx --json   (version, alerts, urgent SKUs, problems)",
        ),
        GOOGLE + STORE + NOTIFY,
    ),
    "new": (
        (
            "stockout new shop.xlsx",
            "stockout new try.xlsx --example",
            "stockout new try.xlsx --example --force   (replace it)",
        ),
        (),
    ),
    "demo": (
        (
            "stockout demo",
            "stockout demo --out demo.xlsx --as-of 2026-11-25",
            "stockout demo --force   (replace the demo written before)",
        ),
        (),
    ),
    "import": (
        (
            "stockout import shop.xlsx All-Orders.txt Manage-FBA-Inventory.txt",
            "stockout import gsheet:1AbC...xyz *.txt --json",
            "stockout import shop.xlsx BusinessReport.csv --dates 2026-11-20",
        ),
        GOOGLE + STORE,
    ),
    "pull": (
        (
            "stockout pull shop.xlsx",
            "stockout pull shop.xlsx --days 90",
            "stockout pull shop.xlsx --traffic-days 7",
            "stockout pull scratch.xlsx --sandbox",
        ),
        AMAZON + GOOGLE + STORE,
    ),
    "serve": (
        ("stockout serve", "stockout serve --host 0.0.0.0 --port 8787"),
        SERVER + GOOGLE + NOTIFY,
    ),
    "apps-script": (("stockout apps-script", "stockout apps-script my-bundle"), ()),
    "excel-init": (
        ("stockout excel-init shop", "stockout excel-init shop --dir ~/Documents --force"),
        (),
    ),
    "excel-lite": (("stockout excel-lite", "stockout excel-lite lite/main.py --force"), ()),
    "schedule": (("stockout schedule shop.xlsx", "stockout schedule shop.xlsx --at 07:30"), NOTIFY),
}


def epilog(command: str) -> str:
    """Examples, exit codes and environment variables of one command, for Click's epilog."""
    examples, env = COMMANDS[command]
    parts = ["\b\nExamples:\n" + "\n".join(f"  {e}" for e in examples)]
    codes = "\n".join(f"  {int(code)}  {what}" for code, what in EXIT_CODES)
    parts.append("\b\nExit codes:\n" + codes)
    if env:
        lines = [f"  {name}\n      {what}" for name, what in env]
        parts.append("\b\nEnvironment:\n" + "\n".join(lines))
    return "\n\n".join(parts)
