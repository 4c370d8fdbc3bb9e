"""Amazon's rules for buyer messages, as checks a seller can read before pressing send.

A delay notice goes through Buyer-Seller Messaging ("unexpected problem"). Amazon rejects or
penalises messages that are too long, carry links, e-mail addresses or HTML, or try to sell or to
ask for a review. The drafts are ours, but the user edits them and may paste in their own
template, so every buyer draft is checked and each breach becomes a plain sentence in the
Warnings column: the user decides, nothing is silently dropped or rewritten.

Only order-related text is allowed, so the word lists below are deliberately broad (a warning
the user reads and dismisses costs less than a suspended messaging permission).
"""

from __future__ import annotations

import re

MAX_CHARS = 2000

_URL = re.compile(
    r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)\S+"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|info|biz|shop|store|io|co|me|ly|link|site|online"
    r"|de|fr|it|es|uk|jp|cn|nl|eu)\b(?:/\S*)?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HTML = re.compile(r"<\s*/?\s*[a-z!][^>]*>|&(?:[a-z]+|#\d+|#x[0-9a-f]+);", re.IGNORECASE)

# Words that turn an order message into marketing or a review request, per buyer language.
# Matched as whole words (stems where a language inflects), case-insensitively.
_MARKETING = {
    "en": r"reviews?|feedback|rat(?:e|ing)\s+us|ratings?|stars?|5-star|five-star|coupons?"
    r"|discounts?|promo(?:tion)?s?|promo\s*code|special\s+offers?|(?:great|best)\s+deals?"
    r"|newsletter|follow\s+us"
    r"|our\s+(?:store|shop|other\s+products)|new\s+arrivals?|free\s+gifts?",
    "de": r"bewertung\w*|bewerten|rezension\w*|feedback|sterne[n]?|rabatt\w*|gutschein\w*"
    r"|angebot\w*|aktion\w*|newsletter|folgen\s+sie\s+uns|unser(?:em|en)?\s+shop|geschenk\w*",
    "fr": r"avis|évaluations?|évaluer|commentaires?|étoiles?|réductions?|remises?|coupons?"
    r"|promotions?|code\s+promo|offres?\s+spéciales?|bons?\s+plans?|newsletter|cadeaux?",
    "it": r"recension\w*|valutazion\w*|feedback|stelle|scont\w*|coupon"
    r"|promozion\w*|offert\w*\s+special\w*|newsletter|omaggi\w*|regal\w*",
    "es": r"reseñas?|opiniones|opinión|valoraci\w+|valorar\w*|comentarios?|estrellas|descuentos?"
    r"|cupón|cupones|promoci\w+|ofertas?\s+especial\w*|newsletter|regalos?",
    "ja": r"レビュー|評価|星|クーポン|割引|セール|キャンペーン|プロモーション"
    r"|フィードバック|プレゼント",
}
# Japanese has no spaces, so its words match anywhere; the others need word boundaries.
_MARKETING_RE = {
    lang: re.compile(words if lang == "ja" else rf"\b(?:{words})\b", re.IGNORECASE)
    for lang, words in _MARKETING.items()
}


def check_buyer_message(text: str, order_id: str) -> list[str]:
    """Return one plain-English warning per messaging rule the buyer message breaks.

    Every language's word list is applied whatever the message's language, because users mix
    languages (an English template with a German sign-off) and a review request is a breach
    in any of them.
    """
    warnings: list[str] = []
    body = text.strip()
    if not body:
        return ["the message is empty"]
    if len(body) > MAX_CHARS:
        warnings.append(f"{len(body):,} characters; Amazon allows at most {MAX_CHARS:,}")
    if order_id and order_id not in body:
        warnings.append(f"the order ID {order_id} is missing")
    for label, pattern in (("e-mail address", _EMAIL), ("link", _URL), ("HTML", _HTML)):
        found = pattern.search(body)
        if found:
            warnings.append(f"{label} not allowed: {found.group(0)!r}")
            if pattern is _EMAIL:
                body = pattern.sub(" ", body)  # an address is not a link too
    found_words = sorted(
        {m.group(0).lower() for regex in _MARKETING_RE.values() for m in regex.finditer(body)}
    )
    if found_words:
        warnings.append(
            "marketing or review request not allowed: " + ", ".join(repr(w) for w in found_words)
        )
    return warnings
