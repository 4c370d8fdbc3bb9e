"""The live Planner tab: the spreadsheet functions over the Inventory and Sales tabs.

`stockout new`, `stockout demo` and `stockout excel-init` add it. Each row follows one
Inventory row, so a seller who edits Available (or adds a day of Sales) sees Days of cover,
Stockout date, Reorder by and Alert change at once, with no refresh.

Every computed cell is `IFERROR(<the stockout function>, <the same rule in plain formulas>)`:
where the functions are installed (Excel with the xlwings add-in or Lite, Google Sheets with
the Apps Script bundle) the cell is the function, computed by `addin.formulas` like the refresh;
elsewhere (LibreOffice, Excel without Python, a file viewer) the function is unknown, the
`#NAME?` is caught and the built-in formulas compute the same rule: the in-stock average of the
last 7/30/90 days, a flat daily rate, the next inbound only. The plain formulas read the
velocity windows, weights and warning lines as they were when the tab was written (they cannot
parse Settings' "7,30,90" lists); the functions read the Settings cells, so an edited list
reaches them at once. tests/sheets_sync/test_native_formulas.py has LibreOffice recalculate
every plain formula and compares with `addin.formulas`.

The Planner is a what-if beside the refresh, not a copy of it: the refresh also walks the
forecast, every inbound batch and stage, promotions, stock elsewhere and demand swings in the
safety stock, so its dates can differ; the header notes say so. It rates a SKU by the Alerts'
rules though (`formulas.alert_for`: at least WATCH when it runs out within the lead time, its
order is due within 7 days or a shipment is overdue), and counts an overdue shipment as on
hand, as the refresh does, so on the demo the levels agree but where a date falls either side
of a warning line (tests/sheets_sync/test_planner.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from addin import formulas, supply
from sheets_sync import workbook as wb
from sheets_sync.types import Cell, Formula, Grid

PLANNER = "Planner"
#: Rows of formulas below the header: every Inventory row and room to grow.
MIN_ROWS = 100
#: Rows of the Sales and Inbound tabs the formulas read (the tab's rows and room to grow).
MIN_TABLE_ROWS = 5000
#: The Status words of a row that no longer comes (`addin.supply`): the Planner skips it.
CLOSED_WORDS = tuple(word for word, stage in supply.STAGES.items() if stage == supply.CLOSED)
EPS = "1E-9"  # the float noise addin.cells allows at integer boundaries
#: MINIFS as an .xlsx file spells it: Excel 2019's functions carry the `_xlfn.` prefix in the
#: file (Excel and LibreOffice show plain MINIFS; without it both show #NAME?).
MINIFS = "_xlfn.MINIFS"

#: Header, number format and note of each column, in order (letters A, B, ...).
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("SKU", "text", "The Inventory row this row follows."),
    ("Title", "text", "From Inventory."),
    ("Available", "int", "From Inventory: edit it there and this row changes."),
    ("Daily sales", "number",
     "SALES_VELOCITY over the Sales tab: the in-stock average of the last 7/30/90 days, "
     "weighted 0.5/0.3/0.2 (Settings velocity_windows and velocity_weights). Alerts can be "
     "higher: the refresh also knows out-of-stock days from the history store's daily stock, "
     "and with nothing Available counts the zero days up to yesterday as out of stock."),
    ("Days of cover", "number", "DAYS_OF_COVER: Available / Daily sales."),
    ("Stockout date", "date",
     "STOCKOUT_DATE: the first day Available and Overdue inbound (plus the next inbound) cannot "
     "cover the day's sales at a flat Daily sales. For a SKU already out, Alerts give the day "
     "it ran out."),
    ("Reorder by", "date",
     "REORDER_DATE: the last day to order so the order lands (Lead time days later) before "
     "stock dips under Safety stock; As of means order now."),
    ("Alert", "text",
     "ALERT_LEVEL from the days to the stockout date and Settings warn_days, as Alerts rate "
     "them: at least WATCH when it runs out within Lead time days (before a regular order "
     "could land), Reorder by is at most 7 days away or there is Overdue inbound; OUT when "
     "nothing is available, NO DATA without sales. Alerts (after a refresh) walk the "
     "forecast rather than a flat rate, and every inbound batch, promotions and stock "
     "elsewhere, so a date (and a level near a warning line) can differ by a day or two."),
    ("Next inbound", "int",
     "Units of the next Inbound rows due on or after As of (Qty above 0, Status not closed, "
     "received or cancelled)."),
    ("Inbound ETA", "date", "ETA of that inbound."),
    ("Lead time days", "int",
     "Production + Sea + Receiving days from Inventory (blank: Settings)."),
    ("Safety stock", "int",
     "SAFETY_STOCK at Settings safety_days of Daily sales (the refresh adds demand swings)."),
    ("Sales since", "date", "The SKU's first row on the Sales tab (at most two years back)."),
    ("Overdue inbound", "int",
     "Units of open Inbound rows whose ETA is before As of: counted as sellable today, added to "
     "Available for Stockout date and Reorder by, as Alerts do (chase the shipment: Alerts say "
     "CHASE INBOUND)."),
)  # fmt: skip
AS_OF_HEADER = "As of"
AS_OF_NOTE = (
    "The day counted as today: Settings as_of, or today when it is blank. Live formulas: "
    "the stockout functions where installed, the same rules in plain formulas elsewhere."
)


def _letter(index: int) -> str:
    """Column letter of a 0-based index (A … ZZ)."""
    return ("" if index < 26 else chr(64 + index // 26)) + chr(65 + index % 26)


def _column(grids: Mapping[str, Grid], tab: str, key: str) -> str:
    """The letter of a contract column in a tab as written (its header row)."""
    header = wb.headers(tab)[[c.key for c in wb.SCHEMA[tab]].index(key)]
    return _letter([str(h) for h in grids[tab][0]].index(header))


def _inventory_value(grids: Mapping[str, Grid], row: int, key: str) -> Cell:
    """The Inventory cell a Planner column copies (row: sheet row), None past the table."""
    header = [str(h) for h in grids[wb.INVENTORY][0]]
    rows = grids[wb.INVENTORY]
    j = header.index(wb.header_of(wb.INVENTORY, key))
    return rows[row - 1][j] if row - 1 < len(rows) and j < len(rows[row - 1]) else None


def _settings_cell(grids: Mapping[str, Grid], key: str) -> str:
    row = [r[0] if r else None for r in grids[wb.SETTINGS]].index(key)
    return f"{wb.SETTINGS}!$B${row + 1}"


def _setting_numbers(grids: Mapping[str, Grid], key: str) -> list[float]:
    """A list setting ("7,30,90") as written: the plain formulas' constants."""
    value = next(r[1] for r in grids[wb.SETTINGS] if r and r[0] == key)
    return [float(x) for x in str(value).replace(";", ",").split(",") if x.strip()]


def _quoted(tab: str) -> str:
    return f"'{tab}'" if not tab.isalnum() else tab


def planner_grid(grids: Mapping[str, Grid]) -> Grid:
    """The Planner's header and formula rows for a workbook of these input grids."""
    inv = {key: _column(grids, wb.INVENTORY, key)
           for key in ("sku", "title", "available", "production_days", "sea_days",
                       "receiving_days")}  # fmt: skip
    sales_end = max(MIN_TABLE_ROWS, 2 * len(grids[wb.SALES]))
    inbound_end = max(MIN_TABLE_ROWS // 10, 2 * len(grids[wb.INBOUND]))
    sales = {key: _column(grids, wb.SALES, key) for key in ("date", "sku", "units", "in_stock")}

    def rng(tab: str, letter: str, end: int) -> str:
        return f"{_quoted(tab)}!${letter}$2:${letter}${end}"

    sd, ss, su, si = (rng(wb.SALES, sales[k], sales_end)
                      for k in ("date", "sku", "units", "in_stock"))  # fmt: skip
    table = f"{wb.SALES}!${sales['date']}$2:${sales['in_stock']}${sales_end}"
    ib = {key: rng(wb.INBOUND, _column(grids, wb.INBOUND, key), inbound_end)
          for key in ("sku", "qty", "eta", "status")}  # fmt: skip
    open_rows = "".join(f',{ib["status"]},"<>{word}"' for word in CLOSED_WORDS)
    setting = {key: _settings_cell(grids, key)
               for key in ("as_of", "warn_days", "velocity_windows", "velocity_weights",
                           "safety_days", "production_days", "sea_days",
                           "receiving_days")}  # fmt: skip
    windows = _setting_numbers(grids, "velocity_windows")
    weights = _setting_numbers(grids, "velocity_weights")
    watch, warning, critical = sorted(_setting_numbers(grids, "warn_days"), reverse=True)
    headers = [c[0] for c in COLUMNS]
    avg_headers = [f"{k:g}-day avg" for k in windows]
    as_of_col = _letter(len(headers) + len(avg_headers))
    header = headers + avg_headers + [AS_OF_HEADER]
    day0 = f"${as_of_col}$2"
    rows: Grid = []
    count = max(MIN_ROWS, len(grids[wb.INVENTORY]) - 1 + MIN_ROWS // 2)
    for n in range(count):
        r, i = n + 2, n + 2  # Planner row r follows Inventory row i

        def inventory(key: str, i: int = i) -> str:
            return f"{wb.INVENTORY}!${inv[key]}${i}"

        a, c, d, f, g = f"$A{r}", f"$C{r}", f"$D{r}", f"$F{r}", f"$G{r}"
        i_, j, k, m, o = f"$I{r}", f"$J{r}", f"$K{r}", f"$M{r}", f"$N{r}"
        stock = f'({c}+IF({o}="",0,{o}))'  # overdue inbound counts as on hand, as in Alerts
        lead = f"-INT(-({k}-{EPS}))"
        e = f"IF(ISNUMBER({j}),MAX(0,{j}-{day0}),0)"
        q = f"IF(ISNUMBER({j}),{i_},0)"
        after = f"MAX(0,{stock}-{d}*{e})+{q}"  # stock when the inbound lands
        first_out = f"INT(({stock}+{EPS})/{d})"
        stockout = (f"IF(AND(ISNUMBER({j}),{first_out}>={e}),"
                    f"{e}+INT(({after}+{EPS})/{d}),{first_out})")  # fmt: skip
        dip1 = f"MAX({lead},INT(({stock}-$L{r}+{EPS})/{d}))"
        dip2 = f"MAX({e},{lead},{e}+INT(({after}-$L{r}+{EPS})/{d}))"
        dip = f"IF(AND(ISNUMBER({j}),{e}>{lead},{dip1}<{e}),{dip1},{dip2})"
        window = f'{ss},{a},{sd},">="&({day0}-{{k}}),{sd},"<"&{day0}'
        avgs = []
        for w in windows:
            span = window.format(k=f"{w:g}")
            days = f"(MIN({w:g},{day0}-{m})-COUNTIFS({span},{si},FALSE))"
            units = f"(SUMIFS({su},{span})-SUMIFS({su},{span},{si},FALSE))"
            avgs.append(f'=IF(OR({a}="",{m}=""),"",IF({days}<=0,"",{units}/{days}))')
        avg_cells = [f"${_letter(len(headers) + x)}{r}" for x in range(len(windows))]
        weighted = "+".join(f"IF(ISNUMBER({cell}),{w:g}*{cell},0)"
                            for cell, w in zip(avg_cells, weights, strict=True))  # fmt: skip
        weight_sum = "+".join(f"IF(ISNUMBER({cell}),{w:g},0)"
                              for cell, w in zip(avg_cells, weights, strict=True))  # fmt: skip
        native_rate = (f'IF(COUNT({avg_cells[0]}:{avg_cells[-1]})=0,"",'
                       f"({weighted})/({weight_sum}))")  # fmt: skip
        days_left = f'IF({f}="","",{f}-{day0})'
        days_to_reorder = f'IF(ISNUMBER({g}),{g}-{day0},"")'
        # an order due within 7 days, or an overdue shipment: at least WATCH
        due = f"OR(ISNUMBER({o}),IF(ISNUMBER({g}),{g}-{day0}<={formulas.REORDER_SOON_DAYS},FALSE))"
        left = f"{f}-{day0}"
        native_alert = (f'IF({f}="",IF({due},"WATCH","OK"),IF({left}<{critical:g},"CRITICAL",'
                        f'IF({left}<{warning:g},"WARNING",'
                        f'IF(OR({left}<{watch:g},{left}<{k},{due}),"WATCH","OK"))))')  # fmt: skip
        inbound = f'{ib["sku"]},{a},{ib["qty"]},">0"{open_rows}'
        next_eta = f'{ib["eta"]},">="&{day0}'
        overdue = f'SUMIFS({ib["qty"]},{inbound},{ib["eta"]},"<"&{day0},{ib["eta"]},">0")'
        cells = [
            f'=IF({inventory("sku")}="","",{inventory("sku")}&"")',
            f'=IF({a}="","",{inventory("title")}&"")',
            f'=IF(OR({a}="",{inventory("available")}=""),"",{inventory("available")})',
            f'=IF({a}="","",IFERROR(SALES_VELOCITY({table},,{setting["velocity_windows"]},'
            f'{setting["velocity_weights"]},{a},{day0}),{native_rate}))',
            f'=IF(OR({a}="",{c}="",{d}=""),"",IFERROR(DAYS_OF_COVER({c},{d}),'
            f'IF({d}>0,{c}/{d},"")))',
            f'=IF(OR({a}="",{c}="",{d}=""),"",IFERROR(STOCKOUT_DATE({stock},{d},{day0},{i_},{j}),'
            f'IF({d}>0,{day0}+{stockout},"")))',
            f'=IF(OR({a}="",{c}="",{d}=""),"",IFERROR(REORDER_DATE({stock},{d},{k},{day0},$L{r},'
            f'{i_},{j}),IF({d}>0,{day0}+{dip}-{lead},"")))',
            f'=IF({a}="","",IF(AND(ISNUMBER({c}),{c}<=0),"OUT",IF({d}="","NO DATA",'
            f'IFERROR(ALERT_LEVEL({days_left},{c},{setting["warn_days"]},{k},{days_to_reorder},{o}),'
            f'{native_alert}))))',
            f'=IF(ISNUMBER({j}),SUMIFS({ib["qty"]},{inbound},{ib["eta"]},{j}),"")',
            f'=IF({a}="","",IF(COUNTIFS({inbound},{next_eta})=0,"",'
            f'{MINIFS}({ib["eta"]},{inbound},{next_eta})))',
            f'=IF({a}="","",' + "+".join(
                f'IF({inventory(key)}="",{setting[key]},{inventory(key)})'
                for key in ("production_days", "sea_days", "receiving_days")) + ")",
            f'=IF(OR({a}="",{d}=""),"",IFERROR(SAFETY_STOCK({d},0,{k},,,{setting["safety_days"]}),'
            f'MAX(0,-INT(-({d}*{setting["safety_days"]}-{EPS})))))',
            f'=IF({a}="","",IF(COUNTIFS({ss},{a},{sd},"<"&{day0},{sd},">="&({day0}-730))=0,"",'
            f'{MINIFS}({sd},{ss},{a},{sd},"<"&{day0},{sd},">="&({day0}-730))))',
            f'=IF({a}="","",IF({overdue}=0,"",{overdue}))',
            *avgs,
        ]  # fmt: skip
        as_of = f'=IF({setting["as_of"]}="",TODAY(),{setting["as_of"]})'
        row = [Formula(text) for text in cells]
        for formula, key in zip(row, ("sku", "title", "available"), strict=False):
            formula.cached = _inventory_value(grids, i, key)  # copied as is: sizes the column
        rows.append([*row, Formula(as_of) if n == 0 else None])
    return [header, *rows]


def planner_formats(header: list[str]) -> dict[str, str]:
    """Each Planner column's format kind (the averages and As of included)."""
    kinds = {name: kind for name, kind, _ in COLUMNS}
    return {h: kinds.get(h, "date" if h == AS_OF_HEADER else "number") for h in header}


def planner_notes(header: list[str]) -> dict[str, str]:
    """A note on every Planner header: what the column computes and from what."""
    notes = {name: note for name, _, note in COLUMNS}
    notes[AS_OF_HEADER] = AS_OF_NOTE
    for h in header:
        if h.endswith("-day avg"):
            days = h.split("-")[0]
            notes[h] = (
                f"Units per in-stock day over the last {days} days before As of "
                "(a Sales row with In stock FALSE is a day out of stock)."
            )
    return notes
