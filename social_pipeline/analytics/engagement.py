"""Engagement rate, defined once.

    engagement_rate = (likes + comments + shares + saves) / denominator * 100

The denominator is the first the platform reports of: views, impressions, reach, followers
(Bluesky reports no views, so its posts are rated per follower). Interactions the platform does
not report count as 0 only when at least one interaction is reported; with none, or no
denominator, the rate is unknown (NULL). A rate that cannot be stored in DECIMAL(5,2) (above
999.99 %, e.g. 50 likes on 2 views) is also NULL rather than a clipped, wrong number.

The specification's example (4,043 likes on 32,092 views -> 12.60) follows this formula.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

MAX_RATE = 999.99
INTERACTIONS = ("likes_count", "comments_count", "shares_count", "saves_count")
DENOMINATORS = ("views_count", "impressions", "reach")


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def engagement_rate(metrics: Mapping[str, Any], followers: Any = None) -> float | None:
    parts = [_number(metrics.get(k)) for k in INTERACTIONS]
    known = [p for p in parts if p is not None]
    if not known:
        return None
    denominator = next(
        (d for d in (_number(metrics.get(k)) for k in DENOMINATORS) if d is not None and d > 0), None
    )
    if denominator is None:
        f = _number(followers)
        denominator = f if f and f > 0 else None
    if denominator is None:
        return None
    rate = round(sum(known) / denominator * 100, 2)
    return rate if 0 <= rate <= MAX_RATE else None
