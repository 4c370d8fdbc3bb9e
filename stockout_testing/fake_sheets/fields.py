"""Field masks and property updates: which parts of a resource a request reads or writes.

`fields=sheets(properties(title))` selects parts of an answer (`parse_mask`, `apply_mask`);
`updateSheetProperties` with `fields: "gridProperties.rowCount,title"` writes only those
(`set_fields`). Colours are echoed as Google stores them: 8 bits per channel at float32
precision, zero channels left out.
"""

from __future__ import annotations

import copy
import math
import re
import struct
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import ApiError
from .values import json_number


def parse_mask(text: str) -> dict[str, Any]:
    """A partial-response mask as a tree: {name: True (whole) or {sub-mask}}."""
    pos = 0

    def names(tree: dict[str, Any]) -> None:
        nonlocal pos
        while True:
            path(tree)
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            return

    def path(tree: dict[str, Any]) -> None:
        nonlocal pos
        match = re.compile(r"[A-Za-z0-9_*]+").match(text, pos)
        if not match:
            raise ApiError(400, f"Invalid field selection {text}")
        name, pos = match.group(0), match.end()
        sub = tree.get(name)
        target = sub if isinstance(sub, dict) else {}
        if pos < len(text) and text[pos] in "./":
            pos += 1
            path(target)
        elif pos < len(text) and text[pos] == "(":
            pos += 1
            names(target)
            if pos >= len(text) or text[pos] != ")":
                raise ApiError(400, f"Invalid field selection {text}")
            pos += 1
        else:
            tree[name] = True
            return
        if sub is not True:
            tree[name] = target

    tree: dict[str, Any] = {}
    names(tree)
    if pos != len(text):
        raise ApiError(400, f"Invalid field selection {text}")
    return tree


def mask_paths(mask: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The leaves of a parsed mask as paths: `a(b,c/d)` -> [(a, b), (a, c, d)]."""
    if mask is True:
        return [prefix]
    return [path for name, sub in mask.items() for path in mask_paths(sub, (*prefix, name))]


def set_path(target: dict[str, Any], path: Sequence[str], source: Any) -> None:
    """Copy one field (`textFormat.bold`) from `source` into `target`, or remove it when the
    source leaves it out: an update's mask names what to change, including what to clear."""
    for key in path[:-1]:
        source = source.get(key) if isinstance(source, Mapping) else None
        target = target.setdefault(key, {})
    value = source.get(path[-1]) if isinstance(source, Mapping) else None
    if value is None:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = copy.deepcopy(value)


def apply_mask(obj: Any, mask: Any) -> Any:
    if mask is True or "*" in mask:
        return obj
    if isinstance(obj, list):
        return [apply_mask(item, mask) for item in obj]
    if isinstance(obj, dict):
        return {key: apply_mask(obj[key], sub) for key, sub in mask.items() if key in obj}
    return obj


def float32(value: float) -> float | int:
    """Colours come back from Google at float32 precision (0.4980392156862745 -> 0.49803922)."""
    packed = struct.unpack("f", struct.pack("f", value))[0]
    for digits in range(1, 10):
        shorter = float(f"{packed:.{digits}g}")
        if struct.unpack("f", struct.pack("f", shorter))[0] == packed:
            return json_number(shorter)
    return packed


def clean_color(color: Any) -> Any:
    """Store a colour as Google shows it: float32 components, zero components left out."""
    if isinstance(color, dict):
        cleaned = {k: clean_color(v) for k, v in color.items() if v not in (None, 0, 0.0)}
        return {k: v for k, v in cleaned.items() if v != {} or k == "rgbColor"}
    if isinstance(color, float | int) and not isinstance(color, bool):
        # Google keeps 8 bits per channel: 0.5 comes back as 127/255 = 0.49803922.
        return float32(math.floor(float(color) * 255 + 1e-6) / 255)
    return color


def set_fields(target: dict[str, Any], source: Mapping[str, Any], fields: str) -> None:
    """Copy the masked fields of an update request (`gridProperties/rowCount,title`)."""
    paths = [p.strip() for p in fields.split(",") if p.strip()]
    if paths == ["*"]:
        paths = list(source)
    for dotted in paths:
        keys = re.split(r"[./]", dotted)
        src: Any = source
        dst = target
        for key in keys[:-1]:
            src = src.get(key, {}) if isinstance(src, Mapping) else {}
            dst = dst.setdefault(key, {})
        last = keys[-1]
        value = src.get(last) if isinstance(src, Mapping) else None
        if last in ("tabColorStyle", "tabColor"):
            value = clean_color(value) or None  # {"rgbColor": null} removes the colour
        if value is None or value is False or (value == 0 and last.startswith("frozen")):
            dst.pop(last, None)
        else:
            dst[last] = value
