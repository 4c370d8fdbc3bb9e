"""Amazon's buyer-messaging rules: each breach is one readable warning, clean text gets none."""

from __future__ import annotations

import pytest

from sheets_sync.messaging_rules import check_buyer_message

ORDER = "302-1234567-1234567"
CLEAN = (
    f"Hello Anna,\n\nThank you for your order {ORDER}. The item will ship on 14 March 2025, "
    "a week later than promised. We are sorry for the delay.\n\nKind regards"
)


def test_clean_message_has_no_warnings():
    assert check_buyer_message(CLEAN, ORDER) == []


def test_too_long_message_reports_its_length():
    text = CLEAN + " x" * 1000
    assert check_buyer_message(text, ORDER) == [
        f"{len(text):,} characters; Amazon allows at most 2,000"
    ]


def test_exactly_2000_characters_is_allowed():
    text = (CLEAN + " " * 2000)[:1999] + "."
    assert len(text) == 2000
    assert check_buyer_message(text, ORDER) == []


def test_missing_order_id():
    assert check_buyer_message(CLEAN.replace(ORDER, "your order"), ORDER) == [
        f"the order ID {ORDER} is missing"
    ]


def test_empty_message():
    assert check_buyer_message("  \n", ORDER) == ["the message is empty"]


@pytest.mark.parametrize(
    ("extra", "warning"),
    [
        ("See https://example.com/track", "link not allowed: 'https://example.com/track'"),
        ("Visit www.myshop.de", "link not allowed: 'www.myshop.de'"),
        ("Details on myshop.com/help", "link not allowed: 'myshop.com/help'"),
        ("Write to help@myshop.com", "e-mail address not allowed: 'help@myshop.com'"),
        ("<b>Sorry</b>", "HTML not allowed: '<b>'"),
        ("Sorry &amp; thanks", "HTML not allowed: '&amp;'"),
    ],
)
def test_links_addresses_and_html_are_flagged(extra, warning):
    assert check_buyer_message(f"{CLEAN}\n{extra}", ORDER) == [warning]


@pytest.mark.parametrize(
    ("extra", "word"),
    [
        ("Please leave us a review!", "review"),
        ("A five-star score would help.", "five-star"),
        ("Use this coupon next time.", "coupon"),
        ("Wir freuen uns über Ihre Bewertung.", "bewertung"),
        ("Hier ist ein Gutschein für Sie.", "gutschein"),
        ("N'hésitez pas à laisser un avis.", "avis"),
        ("Ci lasci una recensione.", "recensione"),
        ("Le ofrecemos un descuento.", "descuento"),
        ("ぜひレビューをお願いします。", "レビュー"),
        ("次回使えるクーポンです。", "クーポン"),
    ],
)
def test_marketing_and_review_requests_in_each_language(extra, word):
    assert check_buyer_message(f"{CLEAN}\n{extra}", ORDER) == [
        f"marketing or review request not allowed: {word!r}"
    ]


def test_ordinary_words_are_not_mistaken_for_marketing():
    text = (
        f"{CLEAN}\nWe will deal with it, starting today. Your restart is rated fine. "
        "Nous vous en avisons. Il préavis."
    )
    assert check_buyer_message(text, ORDER) == []


def test_several_breaches_are_all_reported():
    text = "Please review us at https://x.com <br>"
    assert check_buyer_message(text, ORDER) == [
        f"the order ID {ORDER} is missing",
        "link not allowed: 'https://x.com'",
        "HTML not allowed: '<br>'",
        "marketing or review request not allowed: 'review'",
    ]
