"""The Drafts tab: which drafts a plan produces, in which language, and what a refresh keeps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from addin.formulas import EXPEDITE_BY_AIR, TRANSFER
from addin.relaunch import Span, track
from addin.supply import STAGES, Inbound, Option
from sheets_sync.backends import parse_target
from sheets_sync.demo import demo_tabs
from sheets_sync.drafts import drafts_tab
from sheets_sync.inputs import read_inputs
from sheets_sync.messages import SHIPPED_TEMPLATES, money, priced, template_dirs_for
from sheets_sync.messaging_rules import check_buyer_message
from sheets_sync.plan import compute_plan
from sheets_sync.settings import Settings
from sheets_sync.vocab import STATUS_ZH, status_in

D = dt.date
AS_OF = D(2025, 3, 3)
DIRS = [SHIPPED_TEMPLATES]
COL = {h: i for i, h in enumerate(
    ["Key", "Kind", "SKU", "Order ID", "Language", "To", "Subject", "Body", "Warnings",
     "Created", "Status"]
)}  # fmt: skip

SKU_DEFAULTS = dict(
    asin=None, supplier="Ningbo Homeware Co.", fbm_stock=0, price=24.99, inbound=0, trend=1.0,
    days_of_cover=None, cover_incl_inbound=None, stockout_date=None, days_to_stockout=None,
    flags=[], next_inbound_eta=None, next_inbound_qty=0, next_inbound_id=None,
    next_inbound_mode=None, back_in_stock=None, gap_days=0, lost_units=0, lost_revenue=0.0,
    safety_stock=35, reorder_point=300, reorder_by=None, reorder_qty=0, lead_time_days=75,
    air_arrival=D(2025, 4, 2), air_units=0, action="OK", action_text="OK", alternatives=[],
    basis="7d 5.0 (7)",
)  # fmt: skip


def sku(**values):
    return {**SKU_DEFAULTS, **values}


MUG = sku(
    sku="MUG-01", title="Ceramic mug 350 ml", asin="B0MUG00001", available=0, daily_sales=6.0,
    alert="OUT", stockout_date=AS_OF, days_to_stockout=0, next_inbound_eta=D(2025, 3, 14),
    next_inbound_qty=400, next_inbound_id="FBA15ABCDEF", next_inbound_mode="sea",
    back_in_stock=D(2025, 3, 14), gap_days=11, lost_units=66, lost_revenue=1649.34,
    action="PAUSE AND NOTIFY", action_text="Pause and notify: 11 days out, 66 units lost",
    flags=["REORDER NOW"], reorder_qty=300,
)  # fmt: skip
LAMP = sku(
    sku="LAMP-02", title="Desk lamp", available=40, daily_sales=8.0, alert="CRITICAL",
    stockout_date=D(2025, 3, 8), days_to_stockout=5, next_inbound_eta=D(2025, 4, 20),
    next_inbound_qty=600, back_in_stock=D(2025, 4, 20), gap_days=43, lost_units=344,
    lost_revenue=10316.56, reorder_qty=800, air_units=240, fbm_stock=12,
    action="EXPEDITE BY AIR", action_text="Expedite 240 units by air, arriving 2 April",
    alternatives=["PAUSE AND NOTIFY"], flags=["REORDER NOW"],
    # the batch still at the factory, and the plan's choice: fly 240 of its 600 units
    batches=[Inbound(day=48, qty=600, status="in production", shipment_id="FBA15LAMP")],
    options=[Option(EXPEDITE_BY_AIR, units=240, day=30, source="FBA15LAMP", batch_qty=600,
                    status="planned")],
)  # fmt: skip
BAG = sku(
    sku="BAG-03", title="Tote bag", available=300, daily_sales=4.0, days_of_cover=75.0,
    alert="OK", action="RELAUNCH", flags=["RELAUNCH"], action_text="Relaunch",
)  # fmt: skip
NEW = sku(sku="NEW-04", title="New item", available=10, daily_sales=float("nan"), alert="NO DATA")


def order(order_id, sku_id="MUG-01", **values):
    base = dict(
        order_id=order_id, sku=sku_id, qty=1, purchase_date=D(2025, 2, 28),
        promised_date=D(2025, 3, 5), buyer_name="Anna Schmidt", marketplace="amazon.com",
        language=None, delayed=True, new_date=D(2025, 3, 21),
    )  # fmt: skip
    return {**base, **values}


INCIDENTS = [
    dict(sku="MUG-01", started=D(2025, 2, 25), ended=None, days_out=6, lost_units=36,
         lost_revenue=899.64, cause="", lessons="", actions=""),
    dict(sku="BAG-03", started=D(2025, 1, 10), ended=D(2025, 2, 24), days_out=45,
         lost_units=180, lost_revenue=3598.2, cause="Factory closed for Chinese New Year",
         lessons="", actions=""),
]  # fmt: skip


def make_plan(skus=(MUG, LAMP, BAG, NEW), orders=(), incidents=INCIDENTS, **settings):
    """A plan with exactly the fields of the plan contract, as `sheets_sync.plan` builds it."""
    values = dict(
        language="en", supplier_language="zh", sheet_language="en", currency="EUR",
        coupon_pct=20, ad_boost_pct=30, relaunch_days=14, alert_email_to="ops@example.com",
        alert_webhook_url="", fbm_enabled=True, warn_days=(30, 15, 7),
    )  # fmt: skip
    values.update(settings)
    return SimpleNamespace(
        as_of=AS_OF,
        settings=Settings(**values),
        skus=pd.DataFrame(list(skus)),
        orders=pd.DataFrame(list(orders)),
        incidents=pd.DataFrame(list(incidents)),
        previous_alerts={},
    )


def rows_by_key(tab):
    return {row[COL["Key"]]: row for row in tab.rows}


def test_a_plan_produces_one_draft_per_situation():
    tab = drafts_tab(make_plan(orders=[order("111-0000000-0000001")]), None, template_dirs=DIRS)
    assert tab.header[:11] == list(COL)
    assert tab.owned == 11
    assert [row[COL["Key"]] for row in tab.rows] == [
        "alert_digest:2025-03-03",
        "buyer_delay:111-0000000-0000001",
        # One request per supplier for both of its SKUs, from the earliest shortage: MUG is OUT
        # since the open incident. One freight request to the forwarder.
        "supplier_expedite:Ningbo Homeware Co.:2025-02-25",
        "forwarder_air:forwarder:2025-03-08",
        "offer_restock:MUG-01:2025-02-25",
        "amazon_receiving:FBA15ABCDEF",
        "offer_restock:LAMP-02:2025-03-08",
        # LAMP's inbound is 48 days away: too early to ask Seller Support; BAG relaunches
        "relaunch_plan:BAG-03:2025-01-10",
        "postmortem:BAG-03:2025-01-10",
    ]
    assert {row[COL["Status"]] for row in tab.rows} == {"draft"}
    assert {row[COL["Created"]] for row in tab.rows} == {AS_OF}


# --- buyer notices, per language -----------------------------------------------------------

LANGUAGES = [
    ("amazon.com", "en", "March 21, 2025", "Your order"),
    ("amazon.co.uk", "en", "21 March 2025", "Your order"),
    ("amazon.de", "de", "21. März 2025", "Ihre Bestellung"),
    ("amazon.fr", "fr", "21 mars 2025", "Votre commande"),
    ("amazon.it", "it", "entro il 21 marzo 2025", "Il suo ordine"),
    ("amazon.es", "es", "21 de marzo de 2025", "Su pedido"),
    ("amazon.co.jp", "ja", "2025年3月21日", "ご注文"),
]


@pytest.mark.parametrize(("market", "lang", "date_text", "subject"), LANGUAGES)
def test_buyer_notice_in_the_marketplace_language_passes_amazons_rules(
    market, lang, date_text, subject
):
    oid = "028-1234567-7654321"
    plan = make_plan(orders=[order(oid, marketplace=market)])
    row = rows_by_key(drafts_tab(plan, None, template_dirs=DIRS))[f"buyer_delay:{oid}"]
    body = row[COL["Body"]]
    assert row[COL["Language"]] == lang
    assert row[COL["Subject"]].startswith(subject)
    assert oid in body
    assert date_text in body
    assert "Anna Schmidt" in body
    assert check_buyer_message(body, oid) == []
    assert row[COL["Warnings"]] == ""


@pytest.mark.parametrize(
    ("lang", "day", "text"),
    [("it", 8, "entro l'8 marzo 2025"), ("it", 11, "entro l'11 marzo 2025"),
     ("fr", 1, "le 1er mars 2025"), ("de", 1, "bis zum 1. März 2025")],
)  # fmt: skip
def test_dates_read_the_way_natives_write_them(lang, day, text):
    plan = make_plan(orders=[order("1", language=lang, new_date=D(2025, 3, day))])
    assert text in rows_by_key(drafts_tab(plan, None, template_dirs=DIRS))["buyer_delay:1"][7]


def test_order_language_beats_marketplace_and_unknown_language_falls_back_with_a_warning():
    plan = make_plan(
        orders=[
            order("A-1", marketplace="amazon.de", language="English"),
            order("A-2", marketplace="amazon.nl"),
            order("A-3", marketplace="JP", buyer_name=""),
        ]
    )
    rows = rows_by_key(drafts_tab(plan, None, template_dirs=DIRS))
    assert rows["buyer_delay:A-1"][COL["Language"]] == "en"
    assert rows["buyer_delay:A-2"][COL["Language"]] == "en"
    assert rows["buyer_delay:A-2"][COL["Warnings"]] == (
        "no 'nl' template for buyer_delay; wrote it in English"
    )
    assert rows["buyer_delay:A-3"][COL["Language"]] == "ja"
    assert rows["buyer_delay:A-3"][COL["Body"]].startswith("お客様")


def test_one_notice_per_order_lists_every_delayed_item():
    plan = make_plan(
        orders=[
            order("B-1", "MUG-01", qty=2.0, new_date=D(2025, 3, 21)),
            order("B-1", "LAMP-02", qty=1, new_date=D(2025, 4, 21)),
            order("B-2", "BAG-03", delayed=False),
        ]
    )
    tab = drafts_tab(plan, None, template_dirs=DIRS)
    rows = rows_by_key(tab)
    assert "buyer_delay:B-2" not in rows
    row = rows["buyer_delay:B-1"]
    assert row[COL["SKU"]] == "MUG-01, LAMP-02"
    assert row[COL["Order ID"]] == "B-1"
    assert "- Ceramic mug 350 ml (2)\n- Desk lamp (1)" in row[COL["Body"]]
    # the order ships complete, so the later of the two dates is the promise
    assert "by April 21, 2025" in row[COL["Body"]]


def test_no_new_date_is_said_honestly_and_flagged():
    plan = make_plan(orders=[order("C-1", "NEW-04", new_date=None)])
    row = rows_by_key(drafts_tab(plan, None, template_dirs=DIRS))["buyer_delay:C-1"]
    assert "as soon as we have a firm shipping date" in row[COL["Body"]]
    assert row[COL["Warnings"]] == "no new date: no stock is planned to arrive in time"


# --- user templates ------------------------------------------------------------------------


def write_template(root: Path, lang: str, kind: str, text: str) -> None:
    path = root / lang / f"{kind}.txt.j2"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_user_template_beside_the_workbook_overrides_the_shipped_one_and_is_checked(tmp_path):
    book = tmp_path / "book.xlsx"
    write_template(
        tmp_path / "templates" / "messages",
        "en",
        "buyer_delay",
        "Subject: Order {{ order_id }}\nSorry! Track it at https://myshop.com. Leave a review!\n",
    )
    dirs = template_dirs_for(parse_target(book), Settings())
    assert dirs == [tmp_path / "templates" / "messages", SHIPPED_TEMPLATES]
    row = rows_by_key(drafts_tab(make_plan(orders=[order("D-1")]), None, template_dirs=dirs))[
        "buyer_delay:D-1"
    ]
    assert row[COL["Subject"]] == "Order D-1"
    assert row[COL["Warnings"]] == (
        "the order ID D-1 is missing; link not allowed: 'https://myshop.com.'; "
        "marketing or review request not allowed: 'review'"
    )
    # kinds the user did not override still come from the shipped folder
    supplier = rows_by_key(drafts_tab(make_plan(), None, template_dirs=dirs))[
        "supplier_expedite:Ningbo Homeware Co.:2025-02-25"
    ]
    assert supplier[COL["Subject"]] == "加急：MUG-01、LAMP-02 的优先排产与新订单"


def test_templates_path_setting_is_relative_to_the_workbook(tmp_path):
    (tmp_path / "shared" / "de").mkdir(parents=True)
    (tmp_path / "templates").mkdir()
    dirs = template_dirs_for(parse_target(tmp_path / "b.xlsx"), Settings(templates_path="shared"))
    assert dirs == [tmp_path / "shared", tmp_path / "templates", SHIPPED_TEMPLATES]
    assert template_dirs_for(parse_target("gsheet:1AbC-x_9defg"), Settings()) == DIRS


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        ("{{ order_id ", "template en/buyer_delay.txt.j2: unexpected end of template"),
        ("{{ no_such_field }}", "template en/buyer_delay.txt.j2: 'no_such_field' is undefined"),
        ("{{ ''.__class__.__mro__ }}", "template en/buyer_delay.txt.j2: access to attribute"),
    ],
)
def test_a_broken_or_unsafe_user_template_becomes_a_warning_not_a_crash(tmp_path, text, warning):
    write_template(tmp_path, "en", "buyer_delay", text)
    tab = drafts_tab(make_plan(orders=[order("E-1")]), None, template_dirs=[tmp_path, *DIRS])
    row = rows_by_key(tab)["buyer_delay:E-1"]
    assert row[COL["Body"]] == ""
    assert row[COL["Warnings"]].startswith(warning)


# --- what a refresh keeps ------------------------------------------------------------------


def test_refresh_keeps_sent_rows_user_columns_and_created_dates():
    plan = make_plan(orders=[order("F-1"), order("F-2")])
    first = drafts_tab(plan, None, template_dirs=DIRS)
    rows = rows_by_key(first)
    header = ["Status", *first.header[:10], "Note"]  # user moved Status; added a column

    def old(key, status, note, body=None):
        row = rows[key]
        values = [*row[:7], body or row[7], *row[8:10]]
        return [status, *values, note]

    existing = [
        header,
        old("buyer_delay:F-1", "sent", "sent by Li", body="My own edited text"),
        old("buyer_delay:F-2", "draft", "check name", body="stale"),
        old("postmortem:BAG-03:2025-01-10", "skip", ""),
        ["", "buyer_delay:GONE", "buyer_delay", "X", "GONE", *[None] * 6, "gone"],
        ["sent", "buyer_delay:OLD", "buyer_delay", "X", "OLD", *[None] * 6, "kept"],
        ["", None, None, None, None, None, None, None, "my own row", *[None] * 2, "mine"],
        ["draft", "offer_restock:OLD:2025-01-01", "offer_restock", *[None] * 8, "dropped"],
    ]
    existing[1][10] = D(2025, 2, 1)  # Created of the sent row
    existing[2][10] = D(2025, 2, 2)
    later = SimpleNamespace(**{**vars(plan), "as_of": D(2025, 3, 4)})
    tab = drafts_tab(later, existing, template_dirs=DIRS)
    assert tab.header == [*first.header, "Note"]
    got = rows_by_key(tab)
    # sent: verbatim, body and Created untouched
    assert got["buyer_delay:F-1"][7] == "My own edited text"
    assert got["buyer_delay:F-1"][9:] == [D(2025, 2, 1), "sent", "sent by Li"]
    # draft: rewritten from the plan, Created and the user's note kept
    assert got["buyer_delay:F-2"][7] == rows["buyer_delay:F-2"][7]
    assert got["buyer_delay:F-2"][9:] == [D(2025, 2, 2), "draft", "check name"]
    # skip: kept even though its body would change; never duplicated
    assert got["postmortem:BAG-03:2025-01-10"][10] == "skip"
    assert [r[0] for r in tab.rows].count("postmortem:BAG-03:2025-01-10") == 1
    # rows no longer produced: kept unless their Status is draft
    assert got["buyer_delay:OLD"][-1] == "kept"
    assert got["buyer_delay:GONE"][-1] == "gone"
    assert "offer_restock:OLD:2025-01-01" not in got
    assert any(r[7] == "my own row" and r[-1] == "mine" for r in tab.rows)
    # yesterday's digest was a draft: today's replaces it
    assert "alert_digest:2025-03-04" in got
    assert "alert_digest:2025-03-03" not in got


def test_a_stockout_date_that_drifts_keeps_its_draft_but_a_new_episode_gets_a_new_one():
    first = drafts_tab(make_plan(skus=[LAMP, BAG]), None, template_dirs=DIRS)
    grid = [first.header, *first.rows]
    key = "supplier_expedite:Ningbo Homeware Co.:2025-03-08"
    grid[1 + [r[0] for r in first.rows].index(key)][10] = "sent"

    drift = make_plan(skus=[{**LAMP, "stockout_date": D(2025, 3, 10)}, BAG])
    keys = [r[0] for r in drafts_tab(drift, grid, template_dirs=DIRS).rows]
    assert keys.count(key) == 1
    assert not [k for k in keys if k.startswith("supplier_expedite:") and k != key]
    assert "forwarder_air:forwarder:2025-03-08" in keys

    later = make_plan(skus=[{**LAMP, "stockout_date": D(2025, 4, 30)}, BAG])
    keys = [r[0] for r in drafts_tab(later, grid, template_dirs=DIRS).rows]
    assert "supplier_expedite:Ningbo Homeware Co.:2025-04-30" in keys
    assert key in keys  # the sent one stays


def test_chinese_sheet_gets_chinese_headers_and_internal_drafts():
    tab = drafts_tab(make_plan(sheet_language="zh"), None, template_dirs=DIRS)
    assert tab.header[:3] == ["键", "类型", "SKU"]
    digest = tab.rows[0]
    assert digest[COL["Subject"]] == "断货预警2025年3月3日：OUT 1 个，CRITICAL 1 个"
    rows = rows_by_key(tab)
    assert (
        rows["relaunch_plan:BAG-03:2025-01-10"][COL["Subject"]] == "BAG-03 恢复库存后的重新推广计划"
    )
    assert "20% 折扣，持续 7 天（€24.99 降到 €19.99）" in rows["relaunch_plan:BAG-03:2025-01-10"][7]
    assert rows["offer_restock:MUG-01:2025-02-25"][COL["Language"]] == "zh"
    # Seller Support is written to in English whatever the sheet's language
    assert rows["amazon_receiving:FBA15ABCDEF"][COL["Language"]] == "en"
    assert rows["amazon_receiving:FBA15ABCDEF"][COL["Warnings"]] == ""
    again = drafts_tab(make_plan(sheet_language="zh"), [tab.header, *tab.rows], template_dirs=DIRS)
    assert again.rows == tab.rows


# --- what the drafts say -------------------------------------------------------------------


def test_digest_lists_skus_needing_attention_worst_first():
    row = drafts_tab(make_plan(), None, template_dirs=DIRS).rows[0]
    assert row[COL["To"]] == "ops@example.com"
    assert row[COL["Subject"]] == "Stockout alerts March 3, 2025: 1 OUT, 1 CRITICAL"
    body = row[COL["Body"]]
    assert body.index("OUT: MUG-01") < body.index("CRITICAL: LAMP-02")
    assert "out of stock until March 14, 2025, 66 units (€1,649.34) at risk" in body
    assert "40 available, sells out March 8, 2025, 344 units (€10,316.56) at risk" in body
    assert "Expedite 240 units by air, arriving 2 April" in body
    assert "No sales data yet for: NEW-04." in body
    assert "BAG-03" not in body


def test_one_supplier_request_lists_every_sku_batch_and_new_order():
    rows = rows_by_key(drafts_tab(make_plan(supplier_language="en"), None, template_dirs=DIRS))
    supplier = rows["supplier_expedite:Ningbo Homeware Co.:2025-02-25"]
    assert supplier[COL["To"]] == "Ningbo Homeware Co. <[add Supplier e-mail in Inventory]>"
    assert supplier[COL["SKU"]] == "MUG-01, LAMP-02"
    body = supplier[COL["Body"]]
    assert "Ceramic mug 350 ml (MUG-01): sold out since February 25, 2025" in body
    assert "Desk lamp (LAMP-02): sells out around March 8, 2025" in body
    # the real batch, by Shipment ID, Qty and Status; only the units the gap needs fly ahead
    assert (
        "Our shipment FBA15LAMP, 600 units (in production): please give it priority on the "
        "production line, and have 240 of these units ready first, as we will send them ahead "
        "by air." in body
    )
    # recommended orders are asked for as new orders, never as orders already placed
    assert "A new order of 300 units, shipped by sea as usual: please confirm the price" in body
    assert "A new order of 800 units, shipped by sea as usual: please confirm the price" in body
    assert "our order of 800" not in body.lower()
    assert len([k for k in rows if k.startswith("supplier_expedite:")]) == 1
    # each batch and each new order is a line of its own (a block tag ends the batch line)
    assert "When can they be ready?\n- A new order of 800 units" in body
    zh = rows_by_key(drafts_tab(make_plan(supplier_language="zh"), None, template_dirs=DIRS))
    assert (
        "请告知最早可出货的日期。\n- 新下一张 800 件的订单"
        in (zh["supplier_expedite:Ningbo Homeware Co.:2025-02-25"][COL["Body"]])
    )


def test_the_forwarder_gets_one_request_naming_the_batch_to_split():
    rows = rows_by_key(drafts_tab(make_plan(supplier_language="en"), None, template_dirs=DIRS))
    air = rows["forwarder_air:forwarder:2025-03-08"]
    assert air[COL["Subject"]] == "Freight request: 240 units of LAMP-02 by air to Amazon FBA"
    assert (
        "240 units of Desk lamp (LAMP-02) by air, split from our shipment FBA15LAMP (600 units, "
        "planned), pick-up at Ningbo Homeware Co.; to be sellable by April 2, 2025."
        in air[COL["Body"]]
    )


def test_drafts_follow_every_option_the_action_combines():
    # The Action: transfer 100 units today · and fly 120 of the lamp batch for the gap's rest
    both = {
        **LAMP, "action": TRANSFER, "air_units": 120, "alternatives": ["PAUSE AND NOTIFY"],
        "options": [Option(TRANSFER, units=100, day=4, source="AWD Reno")],
        "combined": [Option(EXPEDITE_BY_AIR, units=120, day=30, source="FBA15LAMP",
                            batch_qty=600, status="planned")],
    }  # fmt: skip
    rows = rows_by_key(
        drafts_tab(make_plan(skus=[both], supplier_language="en"), None, template_dirs=DIRS)
    )
    air = rows["forwarder_air:forwarder:2025-03-08"][COL["Body"]]
    assert "120 units of Desk lamp (LAMP-02) by air, split from our shipment FBA15LAMP" in air
    supplier = rows["supplier_expedite:Ningbo Homeware Co.:2025-03-08"][COL["Body"]]
    assert "have 120 of these units ready first, as we will send them ahead by air." in supplier
    # the listing is back with the transfer, the first of the two to land
    offer = rows["offer_restock:LAMP-02:2025-03-08"][COL["Body"]]
    assert "March 7, 2025" in offer
    alone = {**both, "combined": []}
    rows = rows_by_key(drafts_tab(make_plan(skus=[alone]), None, template_dirs=DIRS))
    assert not [k for k in rows if k.startswith("forwarder_air:")]


def test_a_supplier_with_nothing_to_do_gets_no_request():
    quiet = {**MUG, "flags": [], "batches": []}
    keys = list(rows_by_key(drafts_tab(make_plan(skus=[quiet]), None, template_dirs=DIRS)))
    assert not [k for k in keys if k.startswith(("supplier_expedite:", "forwarder_air:"))]


def test_a_buyer_is_never_promised_a_date_the_plan_cannot_back():
    line = order("B-1", new_date=None)
    row = rows_by_key(drafts_tab(make_plan(orders=[line]), None, template_dirs=DIRS))[
        "buyer_delay:B-1"
    ]
    assert "March 14, 2025" not in row[COL["Body"]]  # MUG's back_in_stock is not a promise
    assert "no new date" in row[COL["Warnings"]]


def test_offer_restock_proposes_a_back_order_only_within_30_days():
    rows = rows_by_key(drafts_tab(make_plan(), None, template_dirs=DIRS))
    mug = rows["offer_restock:MUG-01:2025-02-25"][COL["Body"]]
    assert "Restock date = March 14, 2025" in mug
    assert 'Do not write "pre-order"' in mug
    # the batch lands in 48 days, beyond a back order's 30: no restock date on the offer
    later = {**LAMP, "action": "PAUSE AND NOTIFY", "flags": []}
    lamp = rows_by_key(drafts_tab(make_plan(skus=[later]), None, template_dirs=DIRS))[
        "offer_restock:LAMP-02:2025-03-08"
    ][COL["Body"]]
    assert "you have 12 units you can ship yourself" in lamp
    assert "sellable again on April 20, 2025, 48 days from March 3, 2025." in lamp
    assert "Restock date" not in lamp
    off = rows_by_key(drafts_tab(make_plan(fbm_enabled=False), None, template_dirs=DIRS))
    assert "Merchant fulfilment is switched off" in off["offer_restock:MUG-01:2025-02-25"][7]


def test_a_sku_holding_a_comma_is_one_sku_in_the_drafts_sku_lists():
    """Drafts list SKUs joined by ", ": a notice for SKU `BAG-03, blue` is not one for BAG-03."""
    blue = {**BAG, "sku": "BAG-03, blue", "action": "OK", "flags": []}
    plan = make_plan(skus=(MUG, LAMP, BAG, NEW, blue))
    first = drafts_tab(plan, None, template_dirs=DIRS)
    notice = ["buyer_delay:G-9", "buyer_delay", "BAG-03, blue", "G-9", "en", "Jo", "s", "b", "",
              None, "sent"]  # fmt: skip
    grid = [first.header, *first.rows, notice]
    body = rows_by_key(drafts_tab(plan, grid, template_dirs=DIRS))["postmortem:BAG-03:2025-01-10"]
    assert "Buyer delay notices for this SKU: 0 drafted, 0 marked sent." in body[COL["Body"]]
    notice[2] = "MUG-01, BAG-03"  # one notice for an order of two SKUs
    body = rows_by_key(drafts_tab(plan, grid, template_dirs=DIRS))["postmortem:BAG-03:2025-01-10"]
    assert "Buyer delay notices for this SKU: 1 drafted, 1 marked sent." in body[COL["Body"]]


def test_receiving_request_names_the_shipment_and_warns_without_one():
    rows = rows_by_key(drafts_tab(make_plan(), None, template_dirs=DIRS))
    row = rows["amazon_receiving:FBA15ABCDEF"]
    assert "400 units of SKU MUG-01, ASIN B0MUG00001" in row[COL["Body"]]
    soon = {**LAMP, "next_inbound_eta": D(2025, 3, 12)}
    rows = rows_by_key(drafts_tab(make_plan(skus=[soon]), None, template_dirs=DIRS))
    row = rows["amazon_receiving:LAMP-02:2025-03-12"]
    assert row[COL["Warnings"]] == "no Shipment ID in the Inbound tab: add it before sending"


def test_relaunch_plan_prices_the_coupon():
    rows = rows_by_key(drafts_tab(make_plan(), None, template_dirs=DIRS))
    body = rows["relaunch_plan:BAG-03:2025-01-10"][COL["Body"]]
    assert "after 45 days out (January 10, 2025 to February 24, 2025)" in body
    assert "20% off for 7 days (€24.99 becomes €19.99)" in body
    assert "by 30%" in body
    assert "300 units at about 4 a day last about 75 days" in body


def test_relaunch_plan_without_traffic_says_what_would_watch_conversion():
    body = rows_by_key(drafts_tab(make_plan(), None, template_dirs=DIRS))[
        "relaunch_plan:BAG-03:2025-01-10"
    ][COL["Body"]]
    assert body.endswith(
        'Import the Business Report "Detail Page Sales and Traffic by Child Item" every day (or'
        " pull it from Amazon) and the refresh watches conversion for you."
    )


def watched_bag(*figures: tuple[int, int]) -> dict:
    """BAG-03 back on sale on February 24 (the incident's end) with daily traffic since."""
    back = D(2025, 2, 24)
    before = Span(D(2024, 12, 13), D(2025, 1, 9), 2000, 236)  # 11.8 % before the stockout
    days = [Span(back + dt.timedelta(days=i), back + dt.timedelta(days=i), s, u)
            for i, (s, u) in enumerate(figures)]  # fmt: skip
    found = track(D(2025, 1, 10), back, [before, *days], 10.0, Settings(), AS_OF)
    return {**BAG, "relaunch": found, "action_text": f"RELAUNCH: {found.text}"}


def test_relaunch_plan_with_traffic_lists_the_days_and_says_whether_it_works():
    bag = watched_bag((100, 4), (100, 5), (100, 6), (120, 7), (110, 8))
    body = rows_by_key(drafts_tab(make_plan(skus=[bag]), None, template_dirs=DIRS))[
        "relaunch_plan:BAG-03:2025-01-10"
    ][COL["Body"]]
    assert "20% off from February 24, 2025 to March 10, 2025 (€24.99 becomes €19.99)" in body
    assert "by 30% from February 24, 2025 to March 10, 2025 at the latest" in body
    assert (
        "4. Conversion (units ordered per 100 sessions, from the Business Report figures):\n"
        "- before the stockout (December 13, 2024 to January 9, 2025): 11.8 % at 71 sessions"
        " a day.\n"
        "- category average: 10 %.\n"
        "- each day since February 24, 2025:\n"
        "  February 24, 2025: 100 sessions, 4 units, 4 %\n"
        "  February 25, 2025: 100 sessions, 5 units, 5 %\n"
        "  February 26, 2025: 100 sessions, 6 units, 6 %\n"
        "  February 27, 2025: 120 sessions, 7 units, 5.8 %\n"
        "  February 28, 2025: 110 sessions, 8 units, 7.3 %\n"
        "\n"
        "It is working: 6.4 % over the last 3 days, up from 5 % in the first 3. Keep the coupon"
        " to March 10, 2025 and the ad boost until conversion reaches 10 %."
    ) in body


def test_relaunch_plan_says_when_conversion_is_back_and_the_relaunch_is_closed():
    bag = watched_bag((100, 4), (100, 9), (100, 11), (100, 12))
    zh = rows_by_key(
        drafts_tab(make_plan(skus=[bag], sheet_language="zh"), None, template_dirs=DIRS)
    )["relaunch_plan:BAG-03:2025-01-10"]
    assert zh[COL["Subject"]] == "BAG-03 转化率已恢复，结束重新推广"
    assert "转化率已于2025年2月28日恢复（近 3 天 10.7 %）：现在停掉优惠券" in zh[COL["Body"]]
    en = rows_by_key(drafts_tab(make_plan(skus=[bag]), None, template_dirs=DIRS))[
        "relaunch_plan:BAG-03:2025-01-10"
    ]
    assert en[COL["Subject"]] == "Relaunch plan for BAG-03: conversion is back, end the relaunch"
    assert (
        "Conversion is back since February 28, 2025 (10.7 % over the last 3 days): end the"
        " coupon and the ad boost now. The relaunch is closed."
    ) in en[COL["Body"]]


def test_postmortem_answers_what_the_data_can():
    plan = make_plan(orders=[order("G-1", "BAG-03")])
    first = drafts_tab(plan, None, template_dirs=DIRS)
    grid = [first.header, *first.rows]
    grid[2][10] = "sent"  # the buyer notice for BAG-03 went out
    body = rows_by_key(drafts_tab(plan, grid, template_dirs=DIRS))["postmortem:BAG-03:2025-01-10"][
        COL["Body"]
    ]
    assert "45 days, about 180 units and €3,598.20 of lost sales" in body
    assert "Noted so far: Factory closed for Chinese New Year." in body
    assert "ordered by October 27, 2024 to arrive before January 10, 2025" in body
    assert "(30/15/7 days of cover)" in body
    assert "Buyer delay notices for this SKU: 1 drafted, 1 marked sent." in body
    assert "about 180 units" in body
    assert [line[:2] for line in body.splitlines() if line[:1].isdigit()] == [
        "1.", "2.", "3.", "4.", "5.", "6."
    ]  # fmt: skip


def test_the_demo_plan_gives_clean_drafts_of_every_kind_and_a_stable_tab():
    as_of = D(2026, 11, 25)
    plan = compute_plan(read_inputs(demo_tabs(as_of)), as_of)
    tab = drafts_tab(plan, None, template_dirs=DIRS)
    kinds = {row[COL["Kind"]] for row in tab.rows}
    assert kinds >= {
        "alert_digest", "buyer_delay", "supplier_expedite", "forwarder_air", "offer_restock",
        "relaunch_plan", "postmortem",
    }  # fmt: skip
    # The demo gives two of its three suppliers an address: the third's request says so.
    warned = [(row[COL["Kind"]], row[COL["To"]], row[COL["Warnings"]])
              for row in tab.rows if row[COL["Warnings"]]]  # fmt: skip
    assert warned == [
        (
            "supplier_expedite",
            "Shenzhen Smart Home Ltd. <[add Supplier e-mail in Inventory]>",
            "no e-mail address: add Supplier e-mail in Inventory (or type one in To) before "
            "sending",
        )
    ]
    delayed = plan.orders[plan.orders["delayed"]]
    buyers = [row for row in tab.rows if row[COL["Kind"]] == "buyer_delay"]
    assert sorted(row[COL["Order ID"]] for row in buyers) == sorted(delayed["order_id"])
    for row in buyers:
        assert check_buyer_message(row[COL["Body"]], row[COL["Order ID"]]) == []
        assert row[COL["Language"]] == delayed.set_index("order_id").at[row[3], "language"]
    again = drafts_tab(plan, [tab.header, *tab.rows], template_dirs=DIRS)
    assert again.rows == tab.rows


def test_the_words_follow_the_settings_tab_as_the_refresh_reads_it():
    as_of = D(2026, 11, 25)
    grids = demo_tabs(as_of)
    for key, value in (("supplier_language", "en"), ("sheet_language", "zh"), ("currency", "EUR")):
        next(row for row in grids["Settings"] if row[0] == key)[1] = value
    plan = compute_plan(read_inputs(grids), as_of)
    tab = drafts_tab(plan, None, template_dirs=DIRS)
    kinds = {row[COL["Kind"]]: row for row in reversed(tab.rows)}
    assert kinds["supplier_expedite"][COL["Language"]] == "en"
    assert kinds["alert_digest"][COL["Subject"]].startswith("断货预警2026年11月25日")
    assert "€" in kinds["alert_digest"][COL["Body"]]


def test_postmortem_gives_the_suggested_cause_when_the_seller_noted_none():
    """A past stockout is explained by its Incidents row, never by today's 7-day trend."""
    why = "Demand surge: 9.0 a day in the 4 weeks before 2025-01-10 vs 5.0 before (+80 %)."
    bag = {**INCIDENTS[1], "cause": "", "suggested_cause": why}
    rising = {**BAG, "trend": 1.6}  # today's sales say nothing about January's stockout
    plan = make_plan(skus=(MUG, LAMP, rising, NEW), incidents=[INCIDENTS[0], bag])
    body = rows_by_key(drafts_tab(plan, None, template_dirs=DIRS))["postmortem:BAG-03:2025-01-10"]
    assert f"Suggested: {why}" in body[COL["Body"]]
    assert "Not recorded yet" not in body[COL["Body"]]
    assert "7-day average" not in body[COL["Body"]]
    noted = make_plan(incidents=[INCIDENTS[0], {**INCIDENTS[1], "suggested_cause": why}])
    body = rows_by_key(drafts_tab(noted, None, template_dirs=DIRS))["postmortem:BAG-03:2025-01-10"]
    assert "Noted so far: Factory closed for Chinese New Year." in body[COL["Body"]]
    assert "Suggested" not in body[COL["Body"]]  # the seller's own cause wins


def test_offer_restock_keeps_handling_time_within_30_days_and_words_the_subject_by_state():
    late = {**MUG, "fbm_stock": 0, "back_in_stock": AS_OF + dt.timedelta(days=29)}
    rows = rows_by_key(drafts_tab(make_plan(skus=(late, LAMP)), None, template_dirs=DIRS))
    mug = rows["offer_restock:MUG-01:2025-02-25"]
    assert "raise the FBM handling time to 30 days" in mug[COL["Body"]]  # not 31: Amazon's max
    assert mug[COL["Subject"]].startswith("MUG-01 while out of stock:")
    lamp = rows["offer_restock:LAMP-02:2025-03-08"][COL["Subject"]]
    assert lamp.startswith("LAMP-02 before it sells out on March 8, 2025:")


def test_drafts_are_addressed_where_the_data_has_an_e_mail():
    """Inventory Supplier e-mail, Orders Buyer e-mail and Settings forwarder_email fill the To;
    an address added later keeps the draft's episode (no second request)."""
    buyer = order("111-0000000-0000001")
    before = drafts_tab(make_plan(orders=[buyer]), None, template_dirs=DIRS)
    mug = {**MUG, "supplier_email": "sales@ningbo.example"}
    plan = make_plan(
        skus=(mug, LAMP, BAG, NEW),
        orders=[{**buyer, "buyer_email": "x1y2@marketplace.amazon.com"}],
        forwarder_email="air@forwarder.example",
    )
    after = drafts_tab(plan, [before.header, *before.rows], template_dirs=DIRS)
    rows = rows_by_key(after)
    assert len(after.rows) == len(before.rows)
    supplier = rows["supplier_expedite:Ningbo Homeware Co.:2025-02-25"]
    assert supplier[COL["To"]] == "Ningbo Homeware Co. <sales@ningbo.example>"
    delay = rows["buyer_delay:111-0000000-0000001"]
    assert delay[COL["To"]] == "Anna Schmidt <x1y2@marketplace.amazon.com>"
    (forwarder,) = [r for r in after.rows if r[COL["Kind"]] == "forwarder_air"]
    assert forwarder[COL["To"]] == "air@forwarder.example"
    before_rows = rows_by_key(before)
    assert before_rows["buyer_delay:111-0000000-0000001"][COL["To"]] == "Anna Schmidt"


# --- what the operator review found (issue 13, item 4) -------------------------------------

POT = sku(
    sku="POT-05", title="Stock pot 8 l", available=30, daily_sales=5.0, alert="CRITICAL",
    stockout_date=D(2025, 3, 9), days_to_stockout=6, action="PAUSE AND NOTIFY",
    action_text="PAUSE AND NOTIFY: no stock on its way", supplier="Yiwu Kitchen Trading",
)  # fmt: skip


def body_of(plan, key, column="Body"):
    return rows_by_key(drafts_tab(plan, None, template_dirs=DIRS))[key][COL[column]]


def test_offer_restock_gives_the_landing_the_plan_proposes_as_an_estimate():
    # LAMP's batch lands April 20, but the chosen air freight lands 240 units on April 2
    lamp = body_of(make_plan(), "offer_restock:LAMP-02:2025-03-08")
    assert (
        "it should be sellable again around April 2, 2025, 30 days from March 3, 2025: an "
        "estimate, if the EXPEDITE BY AIR of the Action goes ahead." in lamp
    )
    assert (
        "set Restock date = April 2, 2025 on the FBM offer (column restock_date in the "
        "inventory file): Amazon then sells it as a back order. The date is an estimate: allow "
        "a few days' margin." in lamp
    )
    zh = body_of(make_plan(sheet_language="zh"), "offer_restock:LAMP-02:2025-03-08")
    assert (
        "预计2025年4月2日前后恢复可售（距2025年3月3日 30 天；这是估计日期，前提是按建议执行"
        "“空运加急”）" in zh
    )
    # nothing on its way, nothing planned: no date, said plainly
    nothing = body_of(make_plan(skus=[POT]), "offer_restock:POT-05:2025-03-09")
    assert "No stock is on its way or planned, so there is no restock date to give." in nothing
    assert "sellable again" not in nothing
    # a sea order placed today lands after the lead time: that is the date, an estimate
    ordering = {**POT, "flags": ["REORDER NOW"], "reorder_qty": 400}
    sea = body_of(make_plan(skus=[ordering]), "offer_restock:POT-05:2025-03-09")
    assert "sellable again around May 17, 2025, 75 days from March 3, 2025: an estimate, " in sea
    assert "if the REORDER NOW of the Action goes ahead." in sea
    assert "- Stock returns in about 75 days: that is beyond the 30 days" in sea
    assert "No stock is on its way" not in sea


def test_offer_restock_follows_a_switch_to_fbm_from_stock_elsewhere():
    fbm = Option("SWITCH TO FBM", units=77, day=0, source="3PL Ontario CA")
    out = {**MUG, "fbm_stock": 0, "action": "SWITCH TO FBM", "options": [fbm]}
    body = body_of(make_plan(skus=[out]), "offer_restock:MUG-01:2025-02-25")
    assert "you have 77 units you can ship yourself (3PL Ontario CA)." in body
    both = Option("SWITCH TO FBM", units=100, day=0, source="FBM stock, Overseas warehouse LA")
    body = body_of(make_plan(skus=[{**out, "options": [both]}]), "offer_restock:MUG-01:2025-02-25")
    assert "you have 100 units you can ship yourself (FBM stock, Overseas warehouse LA)." in body
    assert "let the offer go out of stock" not in body


def test_supplier_and_forwarder_read_status_words_and_shipments_in_their_language():
    zh = rows_by_key(drafts_tab(make_plan(), None, template_dirs=DIRS))
    supplier = zh["supplier_expedite:Ningbo Homeware Co.:2025-02-25"][COL["Body"]]
    assert "- 我们的货件 FBA15LAMP，共 600 件（生产中）：请优先排产" in supplier
    assert "我们的订单" not in supplier  # an FBA shipment is not a purchase order
    assert "in production" not in supplier
    forwarder = zh["forwarder_air:forwarder:2025-03-08"][COL["Body"]]
    assert "从我们的货件 FBA15LAMP（共 600 件，计划）中先拆出" in forwarder
    assert "planned" not in forwarder
    # a Status the seller wrote in Chinese reads in English in an English draft
    batch = Inbound(day=48, qty=600, status="生产中", shipment_id="FBA15LAMP")
    option = Option(EXPEDITE_BY_AIR, units=240, day=30, source="FBA15LAMP", batch_qty=600,
                    status="计划")  # fmt: skip
    lamp = {**LAMP, "batches": [batch], "options": [option]}
    en = rows_by_key(drafts_tab(make_plan(skus=[lamp], supplier_language="en"), None,
                                template_dirs=DIRS))  # fmt: skip
    assert (
        "- Our shipment FBA15LAMP, 600 units (in production): "
        in (en["supplier_expedite:Ningbo Homeware Co.:2025-03-08"][COL["Body"]])
    )
    assert (
        "split from our shipment FBA15LAMP (600 units, planned)"
        in (en["forwarder_air:forwarder:2025-03-08"][COL["Body"]])
    )
    unnamed = {**LAMP, "batches": [Inbound(day=48, qty=600, status="ready")], "options": []}
    zh = body_of(make_plan(skus=[unnamed]), "supplier_expedite:Ningbo Homeware Co.:2025-03-08")
    assert "- 我们预计2025年4月20日到仓的那批货，共 600 件（待发货）：请尽快安排出货" in zh


def test_one_purchase_order_in_two_shipments_when_part_flies():
    rush = Option("EXPEDITE BY EXPRESS", units=312, day=46, source="new order")
    pot = {**POT, "action": "EXPEDITE BY EXPRESS", "options": [rush], "flags": ["REORDER NOW"],
           "reorder_qty": 726}  # fmt: skip
    key = "supplier_expedite:Yiwu Kitchen Trading:2025-03-09"
    en = body_of(make_plan(skus=[pot], supplier_language="en"), key)
    assert (
        "- A new order of 1,038 units in two shipments: 312 by express as soon as they are "
        "made, the other 726 by sea as usual: please confirm the price and the earliest ready "
        "date, and we will send the purchase order." in en
    )
    assert en.count("A new order") == 1
    zh = body_of(make_plan(skus=[pot]), key)
    assert (
        "- 新下一张 1,038 件的订单，分两批出货：其中 312 件生产完成后走快递，"
        "其余 726 件照常走海运：请确认价格和最早交期" in zh
    )
    assert zh.count("新下一张") == 1


@pytest.mark.parametrize(
    ("flags", "lang", "words", "not_words"),
    [
        (["INBOUND OVERDUE"], "en", "we cannot ship it by March 5, 2025 as promised: the item is "
         "out of stock because a delivery of new stock to us is running late.", "sooner"),
        (["TREND UP"], "en", "the item sold out sooner than we expected, and new stock is "
         "already on its way to us.", "running late"),
        ([], "en", "the item is temporarily out of stock, and new stock is already on its way",
         "sooner"),
        (["INBOUND OVERDUE"], "de", "Der Artikel ist vorübergehend nicht vorrätig, weil sich "
         "eine Nachlieferung an uns verzögert.", "schneller"),
        ([], "de", "Der Artikel ist vorübergehend nicht vorrätig, und Nachschub", "schneller"),
        (["TREND UP"], "de", "Der Artikel war schneller ausverkauft als erwartet", "verzögert"),
        (["INBOUND OVERDUE"], "zh", "由于我们的补货延迟到货，该商品暂时缺货。", "售罄"),
        ([], "zh", "该商品暂时缺货，新货已经在运来的路上。", "售罄"),
        (["INBOUND OVERDUE"], "ja", "ご注文の商品が入荷の遅れにより品切れとなり", "売れ行き"),
    ],
)  # fmt: skip
def test_a_buyer_is_told_the_known_cause_or_a_neutral_reason(flags, lang, words, not_words):
    mug = {**MUG, "flags": flags}
    plan = make_plan(skus=[mug], orders=[order("H-1", language=lang)])
    row = rows_by_key(drafts_tab(plan, None, template_dirs=DIRS))["buyer_delay:H-1"]
    assert words in row[COL["Body"]]
    assert not_words not in row[COL["Body"]]
    assert row[COL["Language"]] == lang
    assert row[COL["Warnings"]] == ""


def test_every_shipped_buyer_language_writes_the_whole_notice_in_it():
    """Subject and body in the buyer's language, Chinese included (no English fallback)."""
    subjects = {
        "en": "Your order H-2: new shipping date",
        "de": "Ihre Bestellung H-2: neuer Versandtermin",
        "fr": "Votre commande H-2 : nouvelle date d'expédition",
        "it": "Il suo ordine H-2: nuova data di spedizione",
        "es": "Su pedido H-2: nueva fecha de envío",
        "ja": "ご注文（H-2）発送遅延のお知らせ",
        "zh": "您的订单 H-2：发货日期变更",
    }
    shipped = {p.parent.name for p in SHIPPED_TEMPLATES.glob("*/buyer_delay.txt.j2")}
    assert shipped == set(subjects)
    for lang, subject in subjects.items():
        plan = make_plan(orders=[order("H-2", language=lang)])
        row = rows_by_key(drafts_tab(plan, None, template_dirs=DIRS))["buyer_delay:H-2"]
        assert (row[COL["Language"]], row[COL["Subject"]]) == (lang, subject)
        assert check_buyer_message(row[COL["Body"]], "H-2") == []
        if lang != "en":
            assert "out of stock" not in row[COL["Body"]] and "order" not in row[COL["Body"]]


def test_to_names_the_forwarder_and_says_what_to_fill_in_when_unknown():
    rows = rows_by_key(drafts_tab(make_plan(), None, template_dirs=DIRS))
    forwarder = rows["forwarder_air:forwarder:2025-03-08"]
    assert forwarder[COL["To"]] == "[forwarder] <[add forwarder_email in Settings]>"
    assert forwarder[COL["Body"]].startswith("您好！")
    nobody = {**MUG, "supplier": None}
    rows = rows_by_key(drafts_tab(make_plan(skus=[nobody]), None, template_dirs=DIRS))
    (supplier,) = [r for r in rows.values() if r[COL["Kind"]] == "supplier_expedite"]
    assert supplier[COL["To"]] == "[supplier] <[add Supplier e-mail in Inventory]>"

    named = make_plan(forwarder_name="Dragon Freight", supplier_language="en")
    first = drafts_tab(named, None, template_dirs=DIRS)
    row = rows_by_key(first)["forwarder_air:forwarder:2025-03-08"]
    assert row[COL["To"]] == "Dragon Freight <[add forwarder_email in Settings]>"
    assert row[COL["Body"]].startswith("Hello Dragon Freight,\n")
    grid = [first.header, *first.rows]
    grid[1 + list(rows_by_key(first)).index("forwarder_air:forwarder:2025-03-08")][10] = "sent"
    mailed = make_plan(forwarder_name="Dragon Freight", forwarder_email="air@dragon.example")
    again = drafts_tab(mailed, grid, template_dirs=DIRS)
    (kept,) = [r for r in again.rows if r[COL["Kind"]] == "forwarder_air"]  # the same episode
    assert kept[COL["Status"]] == "sent"
    fresh = rows_by_key(drafts_tab(mailed, None, template_dirs=DIRS))
    row = fresh["forwarder_air:forwarder:2025-03-08"]
    assert row[COL["To"]] == "Dragon Freight <air@dragon.example>"
    assert row[COL["Body"]].startswith("Dragon Freight，您好！")


def test_status_words_translate_within_the_one_vocabulary():
    """Each side of a translated status word is an Inbound Status the refresh reads, of the
    same stage: what a draft says in Chinese, a seller may type back."""
    for en, zh in STATUS_ZH.items():
        assert en in STAGES and zh in STAGES and STAGES[en] == STAGES[zh], en
        assert status_in(en, "zh") == zh and status_in(en.upper(), "zh") == zh
    assert status_in("生产中", "en") == "in production"
    assert status_in("my own words", "zh") == "my own words"


def test_the_digest_gives_action_amounts_in_the_settings_currency():
    text = (
        "EXPEDITE BY AIR: 480 of the 1,488 units of batch FBA1 (in production) by air, land "
        "2027-01-03, extra cost 3,256.32, margin saved 12,092.64 · and REORDER NOW: order 336 "
        "units by sea today · PAUSE AND NOTIFY: 52 days out, 197 units lost, 3,475.08 revenue"
    )
    lamp = {**LAMP, "action_text": text}
    en = drafts_tab(make_plan(skus=[lamp]), None, template_dirs=DIRS).rows[0][COL["Body"]]
    assert (
        "480 of the 1,488 units of batch FBA1 (in production) by air, land 2027-01-03, extra "
        "cost €3,256.32, margin saved €12,092.64 · and REORDER NOW: order 336 units by sea today"
        " · PAUSE AND NOTIFY: 52 days out, 197 units lost, €3,475.08 revenue" in en
    )
    zh = drafts_tab(make_plan(skus=[lamp], sheet_language="zh", currency="CNY"), None,
                    template_dirs=DIRS).rows[0][COL["Body"]]  # fmt: skip
    assert "extra cost ¥3,256.32, margin saved ¥12,092.64" in zh
    assert priced("0.00 and -12.50, not 6.4 % or 1,488 units", "USD") == (
        "$0.00 and -$12.50, not 6.4 % or 1,488 units"
    )
    assert money(3256.32, "EUR", "de_DE") == "3.256,32\xa0€"


def test_a_buyer_reads_the_item_as_their_marketplace_listed_it():
    """Orders Title (the report's product-name, in the buyer's language) names the item; a
    blank one falls back to the Inventory Title."""
    plan = make_plan(
        orders=[
            order("J-1", language="de", title="Keramikbecher 350 ml", qty=2),
            order("J-2", language="de", title=None),
        ]
    )
    rows = rows_by_key(drafts_tab(plan, None, template_dirs=DIRS))
    assert "Artikel: Keramikbecher 350 ml (2 Stück)" in rows["buyer_delay:J-1"][COL["Body"]]
    assert "Artikel: Ceramic mug 350 ml\n" in rows["buyer_delay:J-2"][COL["Body"]]
