"""The audience of a simulated account: where it lives, which languages it speaks, how old it is.

A pure function of (platform, handle, day), like the rest of :mod:`.world`, built to look like
the audience panels of real creators:

- **A home market.** Each handle has one home country (the same on every platform), chosen
  deterministically from the handle with weights near the share of creators per market. The home
  country holds the largest part of the audience; neighbours and the big English-speaking markets
  follow, then a long tail.
- **Shares that vary by account.** Eight countries are listed; the rest of the audience is "rest
  of world". How much the listed countries cover differs by account (64-98 %), and so does how
  strongly the home market leads, so the top five countries sum to anything between ~55 % and
  ~90 %.
- **Cities inside their countries.** A city's share is its country's share times the part of that
  country's audience living there (at most ~60 %), so a city never outweighs its country. Cities
  carry their country in their name (``"Berlin, Germany"``) as Meta's breakdowns do.
- **Languages from the countries.** Each country speaks a mix of languages (Canada: English and
  French; India: English and Hindi ...); the audience's languages are that mix weighted by the
  country shares, the rest of world counted as mostly English.
- **Ages and genders by platform.** LinkedIn's audience is older (and has no under-18s), TikTok's
  younger, Pinterest's mostly female; each account varies around its platform's profile.
- **Slow drift.** Every share moves on a bounded random walk: one small step every
  :data:`KNOT_DAYS` days, seeded by the account and the step's index, kept inside fixed bounds by
  reflection, and interpolated linearly in between. Consecutive days differ a little, a year apart
  noticeably; the same day always gives the same answer.

The geo table (:data:`COUNTRIES`) also carries each country's LinkedIn geo id, so the LinkedIn
simulator serves ``/geo`` from the same table the audience is drawn from.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

KNOT_DAYS = 14  # one random-walk step per fortnight
WALK_STEP = 0.09  # standard deviation of one step (log-weight units)
WALK_BOUND = 0.7  # a log-weight never drifts further than this from the account's base
LISTED = 8  # countries listed per account (the rest is "rest of world")
FLOOR = 2.5  # percent: a listed country's smallest share
MIN_COVERAGE = 64.0  # percent: the listed countries never cover less
TOP_CITIES = 6
TOP_LANGUAGES = 4
WALK_EPOCH = date(2024, 1, 1)


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str  # English name, as LinkedIn's geo API and Pinterest name it
    geo_id: str  # LinkedIn geo id (urn:li:geo:{id})
    utc_offset: int  # hours, for the audience's evening in UTC
    languages: tuple[tuple[str, float], ...]  # ISO 639-1 -> share of the country's audience
    cities: tuple[tuple[str, float], ...]  # city -> share of the country's audience living there
    weight: float  # how likely a creator's home market (relative)
    region: str


# LinkedIn geo ids of countries (LinkedIn's geo taxonomy; the same ids appear in job-search links).
COUNTRIES: dict[str, Country] = {c.code: c for c in (
    Country("US", "United States", "103644278", -5, (("en", 0.86), ("es", 0.14)),
            (("New York", 0.09), ("Los Angeles", 0.07), ("Chicago", 0.04), ("Houston", 0.03)), 30, "americas"),
    Country("GB", "United Kingdom", "101165590", 0, (("en", 1.0),),
            (("London", 0.24), ("Manchester", 0.05), ("Birmingham", 0.04)), 8, "europe"),
    Country("CA", "Canada", "101174742", -5, (("en", 0.75), ("fr", 0.25)),
            (("Toronto", 0.2), ("Montreal", 0.13), ("Vancouver", 0.08)), 4, "americas"),
    Country("AU", "Australia", "101452733", 10, (("en", 1.0),),
            (("Sydney", 0.22), ("Melbourne", 0.2), ("Brisbane", 0.09)), 3, "asia"),
    Country("DE", "Germany", "101282230", 1, (("de", 0.93), ("en", 0.04), ("tr", 0.03)),
            (("Berlin", 0.07), ("Hamburg", 0.04), ("Munich", 0.04)), 5, "europe"),
    Country("FR", "France", "105015875", 1, (("fr", 0.96), ("ar", 0.04)),
            (("Paris", 0.18), ("Lyon", 0.04), ("Marseille", 0.03)), 4, "europe"),
    Country("ES", "Spain", "105646813", 1, (("es", 1.0),),
            (("Madrid", 0.16), ("Barcelona", 0.12), ("Valencia", 0.04)), 3, "europe"),
    Country("IT", "Italy", "103350119", 1, (("it", 1.0),),
            (("Rome", 0.08), ("Milan", 0.08), ("Naples", 0.04)), 3, "europe"),
    Country("NL", "Netherlands", "102890719", 1, (("nl", 0.85), ("en", 0.15)),
            (("Amsterdam", 0.12), ("Rotterdam", 0.06)), 1, "europe"),
    Country("PL", "Poland", "105072130", 1, (("pl", 1.0),),
            (("Warsaw", 0.1), ("Kraków", 0.05)), 1, "europe"),
    Country("SE", "Sweden", "105117694", 1, (("sv", 0.9), ("en", 0.1)),
            (("Stockholm", 0.2), ("Gothenburg", 0.07)), 1, "europe"),
    Country("BR", "Brazil", "106057199", -3, (("pt", 1.0),),
            (("São Paulo", 0.1), ("Rio de Janeiro", 0.06), ("Belo Horizonte", 0.03)), 6, "americas"),
    Country("MX", "Mexico", "103323778", -6, (("es", 1.0),),
            (("Mexico City", 0.17), ("Guadalajara", 0.05), ("Monterrey", 0.04)), 4, "americas"),
    Country("AR", "Argentina", "100446943", -3, (("es", 1.0),),
            (("Buenos Aires", 0.3), ("Córdoba", 0.04)), 2, "americas"),
    Country("IN", "India", "102713980", 5, (("en", 0.55), ("hi", 0.45)),
            (("Mumbai", 0.06), ("Delhi", 0.06), ("Bengaluru", 0.05)), 6, "asia"),
    Country("JP", "Japan", "101355337", 9, (("ja", 1.0),),
            (("Tokyo", 0.3), ("Osaka", 0.08), ("Yokohama", 0.04)), 3, "asia"),
    Country("KR", "South Korea", "105149562", 9, (("ko", 1.0),),
            (("Seoul", 0.4), ("Busan", 0.07)), 2, "asia"),
    Country("ID", "Indonesia", "102478259", 7, (("id", 0.9), ("en", 0.1)),
            (("Jakarta", 0.12), ("Surabaya", 0.04)), 2, "asia"),
    Country("PH", "Philippines", "103121230", 8, (("en", 0.6), ("tl", 0.4)),
            (("Manila", 0.14), ("Quezon City", 0.1)), 2, "asia"),
    Country("TR", "Turkey", "102105699", 3, (("tr", 1.0),),
            (("Istanbul", 0.25), ("Ankara", 0.07)), 2, "europe"),
    Country("AE", "United Arab Emirates", "104305776", 4, (("ar", 0.5), ("en", 0.5)),
            (("Dubai", 0.45), ("Abu Dhabi", 0.2)), 1, "mena"),
    Country("SA", "Saudi Arabia", "100459316", 3, (("ar", 1.0),),
            (("Riyadh", 0.3), ("Jeddah", 0.15)), 1, "mena"),
    Country("ZA", "South Africa", "104035573", 2, (("en", 0.7), ("af", 0.3)),
            (("Johannesburg", 0.15), ("Cape Town", 0.12)), 1, "africa"),
    # Tail markets: never a home market, reached only as the rest of the world.
    Country("DK", "Denmark", "104514075", 1, (("da", 0.9), ("en", 0.1)), (("Copenhagen", 0.3),), 0, "europe"),
    Country("NO", "Norway", "103819153", 1, (("no", 0.9), ("en", 0.1)), (("Oslo", 0.25),), 0, "europe"),
    Country("FI", "Finland", "100456013", 2, (("fi", 0.9), ("sv", 0.1)), (("Helsinki", 0.25),), 0, "europe"),
    Country("IE", "Ireland", "104738515", 0, (("en", 1.0),), (("Dublin", 0.3),), 0, "europe"),
    Country("PT", "Portugal", "100364837", 0, (("pt", 1.0),), (("Lisbon", 0.2),), 0, "europe"),
    Country("CH", "Switzerland", "106693272", 1, (("de", 0.65), ("fr", 0.25), ("it", 0.1)), (("Zurich", 0.15),), 0, "europe"),
)}
# Who follows a creator from a region besides its own people: the big English-speaking markets
# everywhere, and the neighbours.
GLOBAL = ("US", "GB", "IN", "CA", "AU")
COUNTRY_CODES = tuple(COUNTRIES)
CITIES = tuple(f"{city}, {c.name}" for c in COUNTRIES.values() for city, _ in c.cities)
LANGUAGES = tuple(dict.fromkeys(lang for c in COUNTRIES.values() for lang, _ in c.languages))
GEO_NAMES = {c.geo_id: c.name for c in COUNTRIES.values()}  # LinkedIn geo id -> English name
GEO_IDS = {c.code: c.geo_id for c in COUNTRIES.values()}

# Per platform: mean age-bucket weights (13-17, 18-24, 25-34, 35-44, 45+) and male share (percent).
AGE_PROFILES: dict[str, tuple[tuple[float, ...], float]] = {
    "tiktok": ((14, 38, 27, 12, 9), 44),
    "instagram": ((6, 31, 33, 17, 13), 46),
    "threads": ((4, 26, 35, 20, 15), 48),
    "youtube": ((7, 22, 28, 20, 23), 54),
    "facebook": ((2, 14, 26, 23, 35), 45),
    "pinterest": ((3, 24, 30, 22, 21), 24),
    "linkedin": ((0, 13, 40, 26, 21), 55),
    "twitter": ((3, 24, 32, 22, 19), 61),
    "bluesky": ((2, 17, 34, 26, 21), 52),
}
DEFAULT_PROFILE = ((5, 26, 31, 20, 18), 50)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _rng(*parts: object) -> random.Random:
    digest = hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big") >> 1)


def home_country(handle: str) -> str:
    """The handle's home market: deterministic, the same on every platform."""
    homes = [c for c in COUNTRIES.values() if c.weight > 0]
    r = _rng(handle.lstrip("@").lower(), "home-market")
    return r.choices([c.code for c in homes], weights=[c.weight for c in homes])[0]


def home_language(handle: str, languages: tuple[str, ...]) -> str:
    """The language a creator of this handle writes in, among ``languages``: its home market's
    main language when offered, else English (so captions and audience agree)."""
    country = COUNTRIES[home_country(handle)]
    main = max(country.languages, key=lambda lp: lp[1])[0]
    return main if main in languages else "en"


@dataclass(frozen=True)
class _Base:
    """What an account's audience is around which it drifts."""

    listed: tuple[str, ...]  # the listed countries (home first)
    weights: tuple[float, ...]  # their base log-weights
    coverage: float  # percent of the audience in the listed countries
    city_parts: tuple[tuple[str, str, float], ...]  # (country, city, share of the country)
    ages: tuple[float, ...]
    male: float
    peak_hours: tuple[int, ...]
    peak_days: tuple[str, ...]


@lru_cache(maxsize=8192)
def _base(platform: str, handle: str) -> _Base:
    r = _rng(platform, handle, "audience-base")
    home = COUNTRIES[home_country(handle)]
    # Neighbours (same region) and the global English markets are likelier followers.
    others = [c for c in COUNTRIES.values() if c.code != home.code and c.weight > 0]
    pull = [(3.0 if c.region == home.region else 1.0) * (2.5 if c.code in GLOBAL else 1.0) * c.weight for c in others]
    chosen: list[str] = []
    pool = list(zip([c.code for c in others], pull))
    while len(chosen) < LISTED - 1:
        code = r.choices([c for c, _ in pool], weights=[w for _, w in pool])[0]
        chosen.append(code)
        pool = [(c, w) for c, w in pool if c != code]
    # Home first, then a decreasing, account-specific spread (log-weights).
    home_pull = r.uniform(0.4, 2.6)  # how local the creator is
    weights = [home_pull] + sorted((r.gauss(-0.4 * i, 0.5) for i in range(1, LISTED)), reverse=True)
    coverage = r.uniform(70.0, 98.0)
    city_parts = []
    for code in (home.code, *chosen):
        for city, part in COUNTRIES[code].cities:
            city_parts.append((code, city, part * r.uniform(0.7, 1.3)))
    mean_ages, mean_male = AGE_PROFILES.get(platform, DEFAULT_PROFILE)
    ages = tuple(max(a * r.uniform(0.7, 1.3), 0.0) for a in mean_ages)
    male = min(max(mean_male + r.gauss(0, 8), 8.0), 90.0)
    # The audience is online in its evening (and at lunch), home time, written in UTC.
    local = r.sample([12, 13, 18, 19, 20, 21, 22], 3)
    peak_hours = tuple(sorted({(h - home.utc_offset) % 24 for h in local}))
    peak_days = tuple(sorted(r.sample(WEEKDAYS, 2), key=WEEKDAYS.index))
    return _Base((home.code, *chosen), tuple(weights), coverage, tuple(city_parts), ages, male, peak_hours, peak_days)


def _reflect(x: float) -> float:
    """Keep a walk within [-WALK_BOUND, WALK_BOUND] by reflecting at the bounds."""
    span = 2 * WALK_BOUND
    y = (x + WALK_BOUND) % (2 * span)
    return (y if y <= span else 2 * span - y) - WALK_BOUND


@lru_cache(maxsize=65536)
def _knot(platform: str, handle: str, k: int, width: int) -> tuple[float, ...]:
    """The walk's state at step ``k`` (``k`` steps of :data:`KNOT_DAYS` days since 2024-01-01;
    negative ``k`` walks backwards): ``width`` bounded coordinates."""
    if k == 0:
        return (0.0,) * width
    previous = _knot(platform, handle, k - 1 if k > 0 else k + 1, width)
    r = _rng(platform, handle, "audience-walk", k)
    return tuple(_reflect(x + r.gauss(0.0, WALK_STEP)) for x in previous)


def _walk(platform: str, handle: str, day: date, width: int) -> list[float]:
    """The bounded walk at ``day``, interpolated between the fortnightly steps."""
    offset = (day - WALK_EPOCH).days
    k, rest = divmod(offset, KNOT_DAYS)
    a = _knot(platform, handle, k, width)
    b = _knot(platform, handle, k + 1, width)
    t = rest / KNOT_DAYS
    return [x + (y - x) * t for x, y in zip(a, b)]


def _round_shares(shares: dict[str, float], k: int) -> dict[str, float]:
    top = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
    return {name: round(v, 2) for name, v in top}


def demographics(platform: str, handle: str, as_of: datetime | date) -> dict[str, object]:
    """The audience on ``as_of``'s day, in percent: the keys of :meth:`world.Account.demographics`."""
    day = as_of.date() if isinstance(as_of, datetime) else as_of
    # Copies: the cached answer's dicts and lists must not be changed by a caller.
    return {k: dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v
            for k, v in _demographics(platform, handle, day)}


@lru_cache(maxsize=16384)
def _demographics(platform: str, handle: str, day: date) -> tuple[tuple[str, object], ...]:
    base = _base(platform, handle)
    n_cities = len(base.city_parts)
    # Coordinates: one per listed country, one for coverage, one per city, five ages, one gender.
    walk = _walk(platform, handle, day, LISTED + 1 + n_cities + 5 + 1)
    it = iter(walk)
    weights = [w + next(it) for w in base.weights]
    coverage = min(max(base.coverage + 12.0 * next(it), MIN_COVERAGE), 98.0)
    raw = [math.exp(w) for w in weights]
    spread = coverage - FLOOR * LISTED
    countries = {code: FLOOR + spread * x / sum(raw) for code, x in zip(base.listed, raw)}
    cities: dict[str, float] = {}
    for code, city, part in base.city_parts:
        # A city is a part of its country's audience (never above 60 % of it), drifting too.
        share = countries[code] * min(part * math.exp(0.5 * next(it)), 0.6)
        cities[f"{city}, {COUNTRIES[code].name}"] = share
    ages = [a * math.exp(0.35 * next(it)) for a in base.ages]
    total_age = sum(ages) or 1.0
    male = min(max(base.male + 6.0 * next(it), 5.0), 92.0)
    unspecified = 1.5
    # Languages: each country's mix weighted by its share; the rest of the world mostly English.
    languages: dict[str, float] = {}
    for code, share in countries.items():
        for lang, part in COUNTRIES[code].languages:
            languages[lang] = languages.get(lang, 0.0) + share * part
    rest = 100.0 - sum(countries.values())
    for lang, part in (("en", 0.6), ("es", 0.15), ("ar", 0.1), ("fr", 0.1), ("pt", 0.05)):
        languages[lang] = languages.get(lang, 0.0) + rest * part
    age_pct = [round(a / total_age * 100, 2) for a in ages]
    return (
        ("age_13_17", age_pct[0]),
        ("age_18_24", age_pct[1]),
        ("age_25_34", age_pct[2]),
        ("age_35_44", age_pct[3]),
        ("age_45_plus", age_pct[4]),
        ("gender_male", round(male, 2)),
        ("gender_female", round(100 - male - unspecified, 2)),
        ("top_countries", _round_shares(countries, LISTED)),
        ("top_cities", _round_shares(cities, TOP_CITIES)),
        ("top_languages", _round_shares(languages, TOP_LANGUAGES)),
        ("peak_hours", list(base.peak_hours)),
        ("peak_days", list(base.peak_days)),
    )


def rest_of_world(listed: dict[str, float], total: int, count: int | None = None) -> dict[str, int]:
    """For APIs that answer every country: ``total`` minus the listed countries' counts, spread
    evenly over the countries not listed (the first ``count`` of them when given). Over all 21
    left, with at least :data:`MIN_COVERAGE` percent listed, each gets under 2 %, below the
    smallest listed share (:data:`FLOOR`), so a top-N of the answer keeps every listed country."""
    counts = {k: int(round(v / 100 * total)) for k, v in listed.items()}
    rest = max(total - sum(counts.values()), 0)
    # Markets no creator calls home first (Denmark, Norway ...): an even split needs some order,
    # and this one puts countries beyond the usual tables into a platform's top ten.
    tail = sorted((c for c in COUNTRY_CODES if c not in counts), key=lambda c: COUNTRIES[c].weight > 0)[:count]
    if not tail or rest == 0:
        return {}
    return {code: rest // len(tail) + (1 if i < rest % len(tail) else 0) for i, code in enumerate(tail)}
