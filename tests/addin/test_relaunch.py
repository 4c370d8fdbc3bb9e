"""The relaunch tracker on hand-worked cases: baseline, target, verdict, plan and close."""

from __future__ import annotations

import datetime as dt

from addin.formulas import Settings
from addin.relaunch import (
    BACK,
    NO_DATA,
    NOT_WORKING,
    TOO_FEW,
    WORKING,
    Span,
    pct,
    track,
    window,
)

OUT = dt.date(2026, 11, 1)  # the stockout starts
BACK_ON = dt.date(2026, 11, 20)  # sellable again
S = Settings()  # coupon 20 %, ads +30 %, relaunch_days 14


def d(n: int) -> dt.date:
    return BACK_ON + dt.timedelta(days=n)


#: The 28 days before the stockout, as one Business Report downloaded for the range:
#: 2,000 sessions and 236 units = 11.8 %.
BEFORE = Span(dt.date(2026, 10, 4), dt.date(2026, 10, 31), 2000, 236)


def days(*figures: tuple[int, int]) -> list[Span]:
    """Daily spans from the restock day on: (sessions, units) each."""
    return [Span(d(i), d(i), s, u) for i, (s, u) in enumerate(figures)]


def test_the_issue_example_cvr_against_before_and_category_keep_the_coupon() -> None:
    found = track(OUT, BACK_ON, [BEFORE, *days((49, 3))], 10.0, S, d(1))
    assert found.baseline_cvr == 100 * 236 / 2000 and found.target_cvr == 10.0
    assert found.state == WORKING
    assert found.text == (
        "CVR 6.1 % vs 11.8 % before, category 10 %, 49 sessions a day vs 71 before: working;"
        " keep the 20 % coupon 6 more days (to 2026-11-26), ads +30 % until conversion is back,"
        " at the latest 2026-12-04"
    )
    assert (found.coupon_start, found.coupon_end) == (BACK_ON, d(6))
    assert (found.ads_start, found.ads_end) == (BACK_ON, d(14))
    assert [(x.day, x.sessions, x.units) for x in found.days] == [(BACK_ON, 49, 3)]
    assert pct(found.days[0].cvr) == "6.1 %"


def test_conversion_back_at_the_category_closes_the_relaunch_the_morning_after() -> None:
    # Rising: 4 %, 5 %, 6 %, then 9 %, 10 %, 11 % of 100 sessions a day.
    spans = [BEFORE, *days((100, 4), (100, 5), (100, 6), (100, 9), (100, 10), (100, 13))]
    found = track(OUT, BACK_ON, spans, 10.0, S, d(6))
    # Days 3-5 average (9 + 10 + 13) / 300 = 10.7 % >= 10 %: back the morning after day 5.
    assert found.state == BACK and found.closed
    assert found.closed_on == d(6)
    assert found.cvr == 100 * 32 / 300
    assert found.text == (
        "CVR 10.7 % vs 11.8 % before, category 10 %, 100 sessions a day vs 71 before: conversion is"
        " back since 2026-11-26, end the coupon and the ad boost: relaunch closed"
    )
    assert found.coupon_end == d(6) and found.ads_end == d(6)


def test_the_target_is_the_sku_s_own_baseline_when_it_converted_below_its_category() -> None:
    before = Span(dt.date(2026, 10, 4), dt.date(2026, 10, 31), 1000, 60)  # 6 %
    found = track(OUT, BACK_ON, [before, *days((100, 6), (100, 6), (100, 7))], 10.0, S, d(3))
    assert found.target_cvr == 6.0
    assert found.state == BACK  # 19 / 300 = 6.3 % >= 6 %, below the category's 10 %


def test_flat_conversion_after_the_first_coupon_is_not_working_and_extends_it() -> None:
    spans = [BEFORE, *days(*[(80, 4)] * 8)]  # 5 % every day
    found = track(OUT, BACK_ON, spans, 10.0, S, d(8))
    assert found.state == NOT_WORKING
    assert found.coupon_end == d(14)  # the first 7 days ended with conversion low: extended
    assert found.text == (
        "CVR 5 % vs 11.8 % before, category 10 %, 80 sessions a day vs 71 before: not working yet"
        " (5 % after the restock): check price, reviews and the Buy Box; keep the 20 % coupon"
        " 7 more days (to 2026-12-04), ads +30 % until conversion is back, at the latest"
        " 2026-12-04"
    )


def test_rising_conversion_after_the_first_days_is_working() -> None:
    spans = [BEFORE, *days((100, 3), (100, 3), (100, 3), (100, 5), (100, 5))]
    found = track(OUT, BACK_ON, spans, 10.0, S, d(5))
    assert found.state == WORKING
    assert found.first_cvr == 3.0 and round(found.cvr or 0, 2) == 4.33
    assert "working, up from 3 %" in found.text


def test_too_few_sessions_are_no_verdict() -> None:
    found = track(OUT, BACK_ON, [BEFORE, *days((5, 1), (6, 1))], 10.0, S, d(2))
    assert found.state == TOO_FEW
    assert "too few sessions to judge yet" in found.text


def test_no_traffic_since_the_restock_says_what_to_import() -> None:
    found = track(OUT, BACK_ON, [BEFORE], 10.0, S, d(3))
    assert found.state == NO_DATA and found.cvr is None
    assert found.text.startswith("back in stock since 2026-11-20, no traffic figures since:")
    assert "Business Report" in found.text


def test_without_any_figure_to_aim_for_it_says_so() -> None:
    found = track(OUT, BACK_ON, days((100, 5)), None, S, d(1))
    assert found.target_cvr is None and found.baseline_cvr is None
    assert "(no conversion before the stockout or category figure to aim for)" in found.text


def test_a_range_since_the_restock_gives_the_conversion_when_no_day_is_known() -> None:
    since = Span(BACK_ON, d(3), 400, 20)
    found = track(OUT, BACK_ON, [BEFORE, since], 10.0, S, d(4))
    assert found.cvr == 5.0 and found.sessions == 100.0 and found.days == []


def test_a_calendar_month_downloaded_before_the_stockout_is_the_baseline() -> None:
    october = Span(dt.date(2026, 10, 1), dt.date(2026, 10, 31), 3100, 310)  # 10 %
    found = track(OUT, BACK_ON, [october, *days((100, 5))], None, S, d(1))
    assert found.baseline_cvr == 10.0 and found.baseline_sessions == 100.0
    too_old = Span(dt.date(2026, 8, 1), dt.date(2026, 10, 31), 9200, 920)  # starts 92 days back
    assert track(OUT, BACK_ON, [too_old], None, S, d(1)).baseline_cvr is None


def test_window_counts_daily_rows_and_ranges_without_counting_a_day_twice() -> None:
    start = dt.date(2026, 10, 1)
    week = Span(start, start + dt.timedelta(days=6), 700, 70)
    one = Span(start + dt.timedelta(days=2), start + dt.timedelta(days=2), 90, 9)
    later = Span(start + dt.timedelta(days=7), start + dt.timedelta(days=7), 100, 1)
    outside = Span(start - dt.timedelta(days=3), start + dt.timedelta(days=1), 500, 5)
    end = start + dt.timedelta(days=9)
    # The week holds a daily row: the daily row wins; a span reaching outside is left out.
    assert window([week, one, later, outside], start, end) == (190, 10, 2)
    assert window([week, later], start, end) == (800, 71, 8)
