"""Who a draft goes to: its To line from the names and e-mail addresses the data has, and the
Warnings a supplier or forwarder request carries where the data lacks them, so the seller fills
them in before sending instead of mailing a placeholder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Missing:
    """What a request's To says when the data lacks a name or an address: a placeholder name
    and where the address is added."""

    name: str
    where: str

    @property
    def address(self) -> str:
        return f"[add {self.where}]"


SUPPLIER = Missing("[supplier]", "Supplier e-mail in Inventory")
FORWARDER = Missing("[forwarder]", "forwarder_email in Settings")


def text(value: Any) -> str:
    """A cell as text, stripped; None and NaN are blank."""
    return "" if value is None or value != value else str(value).strip()


def addressed(name: Any, email: Any, missing: Missing | None = None) -> str:
    """A draft's To: `Name <e-mail>` when the data has an address, or the address alone when
    there is no name. Without an address, MISSING's placeholders say what to fill in; a buyer's
    To has none (Amazon's messaging reaches a buyer by the order), so it is the name alone."""
    name, email = text(name), text(email)
    if email:
        return f"{name} <{email}>" if name else email
    if missing is None:
        return name
    return f"{name or missing.name} <{missing.address}>"


def request_to(
    name: Any, email: Any, missing: Missing, lines: Sequence[dict[str, Any]]
) -> tuple[str, list[str]]:
    """A supplier or forwarder request's To and the Warnings for what it lacks: an address,
    and the Titles of SKUs named by their code alone (they know the product by its name)."""
    warnings = []
    if not text(email):
        warnings.append(
            f"no e-mail address: add {missing.where} (or type one in To) before sending"
        )
    skus = [str(line["sku"]) for line in lines if not line.get("titled", True)]
    if skus:
        warnings.append(
            f"no Title in Inventory for {', '.join(skus)}: add it so they know the product"
        )
    return addressed(name, email, missing), warnings
