"""Differential fuzz: addin/reading.py and addin/names.py against their Apps Script port
(Reading.gs) on generated text, beyond the hand-picked shared vectors.

Deterministic (a seeded generator), so CI runs the same cases every time: numbers with every
mix of digits, `.` `,` spaces and apostrophes, signs and exponents; dates with every separator
and part size; SKU names with typos, case and spaces. Every cell's possible readings and every
nearest-name answer must be identical.
"""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

from addin.names import nearest
from addin.reading import date_readings, number_readings

HERE = Path(__file__).resolve().parent
CASES = 1500


def _texts(rng: random.Random) -> list[str]:
    parts = ["1", "12", "123", "1234", "0", "00", "007", "999", "1000"]
    marks = [".", ",", " ", "'", "\u00a0", "\u202f", "/", "-", "e", "E", "e+", "e-"]
    texts = []
    for _ in range(CASES):
        text = rng.choice(["", "-", "+", " "])
        for i in range(rng.randint(1, 4)):
            text += rng.choice(parts) if i == 0 or rng.random() < 0.9 else ""
            if rng.random() < 0.7:
                text += rng.choice(marks)
        texts.append(text + rng.choice(["", "", " ", "0", "x", "€"]))
    for _ in range(CASES // 3):
        d, m, y = rng.randint(0, 40), rng.randint(0, 14), rng.choice([1600, 1999, 2026, 2300, 26])
        sep = rng.choice(["/", "-", ".", "/"])
        texts.append(f"{d:0{rng.randint(1, 2)}d}{sep}{m:0{rng.randint(1, 2)}d}{sep}{y}")
        texts.append(f"{y:04d}-{m:02d}-{d:02d}" + rng.choice(["", "T10:00:00", " 10:00"]))
    return texts


def _names(rng: random.Random) -> list[tuple[str, list[str]]]:
    alphabet = "ABCDEFGHIJK-_ 0123456789abc"
    cases = []
    for _ in range(CASES // 3):
        known = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(5)]
        name = list(rng.choice(known))
        for _ in range(rng.randint(0, 3)):
            at = rng.randrange(len(name) + 1)
            if rng.random() < 0.5 and name:
                name[min(at, len(name) - 1)] = rng.choice(alphabet)
            else:
                name.insert(at, rng.choice(alphabet))
        cases.append(("".join(name).lower() if rng.random() < 0.3 else "".join(name), known))
    return cases


def test_the_port_reads_every_generated_cell_and_name_like_python(node: str, tmp_path: Path):
    rng = random.Random(15)
    texts, names = _texts(rng), _names(rng)
    path = tmp_path / "cases.json"
    path.write_text(json.dumps({"texts": texts, "names": names}), encoding="utf-8")
    done = subprocess.run(
        [node, str(HERE / "run_reading.js"), str(path)],
        capture_output=True, text=True, timeout=300, cwd=HERE,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    js = json.loads(done.stdout)
    numbers = [{k: v for k, v in number_readings(t).items()} for t in texts]
    dates = [{str(k).lower(): v.isoformat() for k, v in date_readings(t).items()} for t in texts]
    wrong = [(t, p, j) for t, p, j in zip(texts, numbers, js["numbers"], strict=True) if p != j]
    assert not wrong, wrong[:10]
    wrong = [(t, p, j) for t, p, j in zip(texts, dates, js["dates"], strict=True) if p != j]
    assert not wrong, wrong[:10]
    found = [nearest(name, known) for name, known in names]
    wrong = [(n, p, j) for n, p, j in zip(names, found, js["nearest"], strict=True) if p != j]
    assert not wrong, wrong[:10]
    # the generator reaches every kind of answer, so a pass means something
    assert sum(len(n) == 2 for n in numbers) > 100 and sum(len(n) == 1 for n in numbers) > 30
    assert sum(not n for n in numbers) > 200 and sum(len(set(d.values())) == 2 for d in dates) > 30
    assert sum(f is None for f in found) > 20 and sum(f is not None for f in found) > 200
