"""What the demo world's creators talk about and how each platform tags it.

Pure data plus two small pure helpers; :mod:`social_pipeline.simulator.world` draws from it with
seeded random generators, so everything stays a function of (platform, handle, moment).

- ``NICHES``: an account's subject. Each niche has topic phrases for captions (a few in other
  languages), casual hashtags, professional ones (LinkedIn), descriptive ones (Pinterest) and
  keywords (YouTube's ``snippet.tags``).
- ``PLATFORM_NICHES``: which niches live on which platform, with weights (no cooking page on
  LinkedIn, no data-engineering account on TikTok).
- ``TAG_CULTURE``: how many tags a caption carries on each platform and the platform's own tags
  (#fyp only on TikTok, #reels on Instagram and Facebook, #leadership on LinkedIn).
- ``SEASONAL``: tags that exist only in their season; ``{year}`` becomes the post's own year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

NICHES: dict[str, dict[str, tuple[str, ...]]] = {
    "cooking": {
        "topics": (
            "one-pan lemon pasta", "{n}-minute ramen upgrade", "sourdough from scratch", "meal prep for the week",
            "the crispiest roast potatoes", "grandma's lentil soup", "street tacos at home", "no-knead focaccia",
            "a {n}-ingredient dessert", "knife skills for beginners",
        ),
        "tags": ("foodtok", "recipe", "easyrecipes", "homecooking", "foodie", "mealprep", "dinnerideas", "baking"),
        "pins": ("easydinnerrecipes", "weeknightdinner", "healthymealprep", "bakingideas", "comfortfood"),
        "keywords": ("recipe", "cooking", "easyrecipe", "dinner", "homemade", "kitchen"),
    },
    "fitness": {
        "topics": (
            "a {n}-minute full body workout", "leg day without a gym", "fixing your squat form", "my push pull legs split",
            "mobility routine for desk workers", "what I eat after training", "week {n} of marathon prep",
            "core finisher you can do anywhere",
        ),
        "tags": ("gymtok", "fitness", "workout", "homeworkout", "fitfam", "legday", "running", "strengthtraining"),
        "pins": ("fullbodyworkout", "homeworkoutplan", "beginnerworkout", "fitnessmotivation"),
        "keywords": ("workout", "fitness", "training", "homeworkout", "strength"),
    },
    "tech": {
        "topics": (
            "my {n} desk setup upgrades", "a mechanical keyboard build", "is this laptop worth it", "the phone I actually use",
            "home server on a budget", "{n} apps I can't live without", "unboxing the new headphones",
            "smart home mistakes to avoid",
        ),
        "tags": ("techtok", "tech", "gadgets", "desksetup", "mechanicalkeyboard", "techreview", "homelab"),
        "pro": ("technology", "innovation", "productivity", "ai", "futureofwork"),
        "pins": ("desksetupideas", "homeofficeinspo", "techgadgets"),
        "keywords": ("tech", "review", "setup", "gadgets", "unboxing", "keyboard"),
    },
    "travel": {
        "topics": (
            "{n} days in Lisbon", "a hidden beach in Crete", "packing carry-on only", "the night train to Vienna",
            "what {n} euros gets you in Porto", "sunrise over the Dolomites", "Tokyo food alleys", "road trip day {n}",
        ),
        "tags": ("traveltok", "travel", "wanderlust", "travelgram", "roadtrip", "solotravel", "hiddengems"),
        "pins": ("travelbucketlist", "europetravelitinerary", "packinglist", "travelinspiration"),
        "keywords": ("travel", "vlog", "itinerary", "traveltips", "europe"),
    },
    "beauty": {
        "topics": (
            "my {n}-step skincare routine", "a soft glam look", "drugstore dupes that work", "nail art for beginners",
            "fixing patchy foundation", "night routine reset", "the curl routine that changed everything",
        ),
        "tags": ("beautytok", "skincare", "makeup", "grwm", "makeuptutorial", "skincareroutine", "nailart"),
        "pins": ("skincareroutineideas", "naturalmakeuplook", "nailartdesigns"),
        "keywords": ("makeup", "skincare", "grwm", "tutorial", "beauty"),
    },
    "fashion": {
        "topics": (
            "{n} ways to style one jacket", "a thrift haul", "capsule wardrobe basics", "outfits of the week",
            "what I wore in Copenhagen", "styling wide-leg trousers",
        ),
        "tags": ("ootd", "fashion", "outfitinspo", "thrifted", "styletips", "capsulewardrobe"),
        "pins": ("outfitideas", "capsulewardrobeideas", "streetstyleinspo"),
        "keywords": ("fashion", "haul", "outfits", "style", "thrift"),
    },
    "gaming": {
        "topics": (
            "a clutch I still can't believe", "speedrun attempt {n}", "the build that breaks the meta", "ranked grind day {n}",
            "indie game you missed", "my streaming setup",
        ),
        "tags": ("gamingtok", "gaming", "gamer", "speedrun", "indiegames", "twitchstreamer"),
        "pins": ("gamingsetupideas", "gamingroom"),
        "keywords": ("gaming", "gameplay", "speedrun", "letsplay", "indiegame"),
    },
    "data": {
        "topics": (
            "idempotent backfills explained", "why your dbt models are slow", "a Postgres index that saved {n} seconds",
            "data contracts in practice", "the modern data stack, {n} years on", "orchestrating pipelines with Dagster",
            "what I learned migrating {n} TB", "SQL window functions in one picture",
        ),
        "tags": ("dataengineering", "sql", "python", "postgres", "analytics", "datascience"),
        "pro": ("dataengineering", "analytics", "dataarchitecture", "datagovernance", "bigdata", "cloud"),
        "pins": ("sqlcheatsheet", "datavisualization"),
        "keywords": ("dataengineering", "sql", "python", "tutorial", "postgres", "dagster"),
    },
    "b2b": {
        "topics": (
            "{n} lessons from our first year", "how we cut churn in half", "a hiring mistake I made", "pricing page teardown",
            "what our best customers have in common", "building in public, month {n}",
        ),
        "tags": ("startup", "smallbusiness", "entrepreneur", "marketing", "saas"),
        "pro": ("leadership", "startups", "growth", "marketing", "saas", "entrepreneurship", "careers"),
        "pins": ("smallbusinesstips", "marketingstrategy"),
        "keywords": ("business", "startup", "marketing", "saas"),
    },
    "music": {
        "topics": (
            "a cover of a 90s classic", "the riff I wrote at {n} am", "making a beat from kitchen sounds",
            "new single out friday", "live at the corner bar", "mixing tips in {n} seconds",
        ),
        "tags": ("musictok", "music", "newmusic", "cover", "producer", "singersongwriter", "guitar"),
        "pins": ("musicstudio", "guitarlessons"),
        "keywords": ("music", "cover", "beat", "producer", "guitar", "live"),
    },
    "comedy": {
        "topics": (
            "when the group chat goes quiet", "every meeting ever", "my landlord, part {n}", "things my mom says",
            "airport security speedrun", "me explaining my job",
        ),
        "tags": ("comedy", "funny", "skit", "relatable", "lol"),
        "keywords": ("comedy", "sketch", "funny"),
    },
    "pets": {
        "topics": (
            "my dog meets snow for the first time", "cat vs cardboard box", "puppy training day {n}",
            "the vet visit drama", "zoomies at {n} am",
        ),
        "tags": ("dogsoftiktok", "catsofinstagram", "pets", "dogs", "cats", "puppy"),
        "pins": ("dogtrainingtips", "catcare"),
        "keywords": ("dog", "cat", "pets", "puppy"),
    },
    "diy": {
        "topics": (
            "a floating shelf in {n} minutes", "balcony makeover on a budget", "restoring a thrifted dresser",
            "renter-friendly kitchen upgrade", "building a raised garden bed",
        ),
        "tags": ("diy", "homedecor", "woodworking", "upcycling", "homeimprovement"),
        "pins": ("diyhomedecor", "smallbalconyideas", "woodworkingprojects", "furnitureflip"),
        "keywords": ("diy", "woodworking", "makeover", "homeimprovement"),
    },
}

# Which niches live on each platform (relative weights). A creator keeps one niche across platforms
# when the platform has it (see world.Account.niche).
PLATFORM_NICHES: dict[str, dict[str, int]] = {
    "tiktok": {"cooking": 5, "fitness": 4, "beauty": 4, "comedy": 4, "pets": 3, "gaming": 3, "music": 3,
               "fashion": 3, "travel": 2, "diy": 2, "tech": 2},
    "instagram": {"fashion": 5, "beauty": 4, "travel": 4, "cooking": 4, "fitness": 4, "pets": 2, "music": 2, "diy": 2},
    "youtube": {"tech": 5, "gaming": 5, "cooking": 3, "fitness": 3, "diy": 3, "music": 3, "travel": 2, "data": 2},
    "facebook": {"cooking": 4, "pets": 3, "diy": 3, "b2b": 3, "travel": 2, "comedy": 2, "fitness": 2},
    "linkedin": {"data": 5, "b2b": 5, "tech": 3},
    "twitter": {"tech": 5, "data": 4, "gaming": 3, "b2b": 3, "music": 2, "comedy": 2},
    "pinterest": {"cooking": 5, "diy": 5, "fashion": 4, "beauty": 3, "travel": 3, "fitness": 2},
    "threads": {"fashion": 3, "beauty": 3, "tech": 3, "music": 2, "comedy": 2, "fitness": 2, "cooking": 2},
    "bluesky": {"tech": 4, "data": 4, "music": 3, "comedy": 2, "gaming": 2, "pets": 2},
}


@dataclass(frozen=True)
class TagCulture:
    counts: tuple[int, ...]  # how many tags a caption carries, drawn uniformly from this tuple
    platform_tags: tuple[str, ...]  # the platform's own tags, mixed into the niche's
    platform_share: float  # chance each slot is a platform tag rather than a niche tag
    source: str  # which niche list the platform draws from: "tags", "pro", "pins" or "keywords"
    in_caption: bool = True  # False: tags are keywords, not written in the caption (YouTube)


TAG_CULTURE: dict[str, TagCulture] = {
    "tiktok": TagCulture((2, 3, 3, 4, 4, 5, 6), ("fyp", "foryou", "foryoupage", "viral"), 0.35, "tags"),
    "instagram": TagCulture((3, 4, 5, 6, 8, 10), ("reels", "instagood", "explorepage", "reelsinstagram"), 0.25, "tags"),
    "facebook": TagCulture((0, 0, 1, 1, 2), ("reels", "facebookreels"), 0.3, "tags"),
    "linkedin": TagCulture((0, 1, 2, 3, 3), ("leadership", "careers", "learning"), 0.3, "pro"),
    "twitter": TagCulture((0, 0, 0, 1, 1, 2), (), 0.0, "tags"),
    "pinterest": TagCulture((2, 3, 4, 5), (), 0.0, "pins"),
    "threads": TagCulture((0, 0, 1), (), 0.0, "tags"),  # Threads allows one topic tag per post
    "bluesky": TagCulture((0, 0, 1, 1, 2), (), 0.0, "tags"),
    "youtube": TagCulture((3, 4, 5, 6, 8), (), 0.0, "keywords", in_caption=False),
}
# YouTube captions mostly carry no hashtag; Shorts often carry #shorts.
YOUTUBE_CAPTION_TAG_SHARE = 0.15


@dataclass(frozen=True)
class Seasonal:
    tag: str  # "{year}" is replaced by the post's year
    start: tuple[int, int]  # (month, day), inclusive
    end: tuple[int, int]  # (month, day), inclusive; before start when the season spans new year
    platforms: frozenset[str]
    years: tuple[int, ...] = ()  # only in these years (one-off events); empty: every year


_CONSUMER = frozenset({"tiktok", "instagram", "facebook", "pinterest", "threads", "twitter", "bluesky", "youtube"})
_VISUAL = frozenset({"tiktok", "instagram", "facebook", "pinterest", "threads", "youtube"})

SEASONAL: tuple[Seasonal, ...] = (
    Seasonal("newyear", (12, 30), (1, 7), _CONSUMER),
    Seasonal("newyearnewme", (1, 1), (1, 14), _VISUAL),
    Seasonal("valentinesday", (2, 7), (2, 14), _VISUAL),
    Seasonal("springbreak", (3, 1), (4, 10), frozenset({"tiktok", "instagram"})),
    Seasonal("summer{year}", (6, 1), (8, 31), _VISUAL),
    Seasonal("summervibes", (6, 15), (8, 31), frozenset({"tiktok", "instagram", "threads"})),
    Seasonal("worldcup{year}", (6, 11), (7, 19), frozenset({"tiktok", "instagram", "twitter", "threads"}), (2026,)),
    Seasonal("backtoschool", (8, 15), (9, 10), frozenset({"tiktok", "instagram", "pinterest", "facebook"})),
    Seasonal("halloween", (10, 15), (10, 31), _VISUAL),
    Seasonal("blackfriday", (11, 20), (11, 30), frozenset({"tiktok", "instagram", "facebook", "pinterest", "twitter"})),
    Seasonal("cybermonday", (11, 27), (12, 2), frozenset({"instagram", "facebook", "twitter"})),
    Seasonal("christmas", (12, 1), (12, 26), _VISUAL | {"twitter", "bluesky"}),
    Seasonal("holidays", (12, 1), (12, 31), _VISUAL),
    Seasonal("wrapped{year}", (11, 29), (12, 15), frozenset({"tiktok", "instagram", "twitter", "threads", "bluesky"})),
    Seasonal("yearinreview{year}", (12, 10), (12, 31), frozenset({"linkedin"})),
    Seasonal("q4planning", (10, 1), (10, 31), frozenset({"linkedin"})),
)


def in_season(season: Seasonal, day: date) -> bool:
    if season.years and day.year not in season.years:
        return False
    md = (day.month, day.day)
    if season.start <= season.end:
        return season.start <= md <= season.end
    return md >= season.start or md <= season.end


@lru_cache(maxsize=8192)
def seasonal_tags(platform: str, day: date) -> tuple[str, ...]:
    """The seasonal tags a ``platform`` post published on ``day`` may carry, with the day's year."""
    return tuple(s.tag.format(year=day.year) for s in SEASONAL if platform in s.platforms and in_season(s, day))


# Caption openers by language. Some invite argument on purpose (the comment generator reads them).
OPENERS: dict[str, tuple[str, ...]] = {
    "en": (
        "New video is up:", "Trying something different today:", "Part {k} as promised:", "You asked, so here it is:",
        "Quick tip:", "Honest review:", "Story time:", "We finally did it:", "Hot take:", "Unpopular opinion:",
        "Saving this for later:", "POV:", "Myth vs fact:", "Stop scrolling:", "{n} things nobody tells you:",
        "Day {n}:", "Behind the scenes:", "If you only try one thing this week:", "",
    ),
    "es": ("Nuevo video:", "Hoy probamos algo distinto:", "Me lo pedisteis:", "Consejo rápido:", "Parte {k}:", ""),
    "pt": ("Vídeo novo no ar:", "Hoje testei uma coisa diferente:", "Vocês pediram:", "Dica rápida:", "Parte {k}:", ""),
    "de": ("Neues Video:", "Heute mal was anderes:", "Ihr habt gefragt:", "Kurzer Tipp:", "Teil {k}:", ""),
    "fr": ("Nouvelle vidéo :", "Aujourd'hui, on teste autre chose :", "Vous l'avez demandé :", "Astuce rapide :", ""),
}
# Topic phrases in other languages for the niches whose creators post in them.
TOPICS_I18N: dict[str, dict[str, tuple[str, ...]]] = {
    "es": {
        "cooking": ("pasta al limón en una sartén", "tacos caseros", "pan de masa madre", "sopa de lentejas de la abuela"),
        "fitness": ("rutina de {n} minutos en casa", "día de pierna sin gimnasio", "mi rutina de movilidad"),
        "travel": ("{n} días en Lisboa", "una playa escondida en Creta", "viajar solo con equipaje de mano"),
        "music": ("un cover de los 90", "nuevo single este viernes"),
    },
    "pt": {
        "cooking": ("pão de fermentação natural", "marmitas da semana", "bolo de cenoura da vovó"),
        "beauty": ("minha rotina de skincare em {n} passos", "maquiagem leve para o dia a dia"),
        "fitness": ("treino de {n} minutos em casa", "dia de perna sem academia"),
        "fashion": ("{n} jeitos de usar uma jaqueta", "achados do brechó"),
    },
    "de": {
        "tech": ("mein Schreibtisch-Setup", "Homeserver für wenig Geld", "{n} Apps, ohne die ich nicht kann"),
        "diy": ("Schweberegal in {n} Minuten", "Balkon-Makeover mit kleinem Budget"),
        "data": ("idempotente Backfills erklärt", "Postgres-Indizes, die wirklich helfen"),
    },
    "fr": {
        "cooking": ("focaccia sans pétrissage", "soupe de lentilles de grand-mère"),
        "fashion": ("{n} façons de porter une veste", "ma garde-robe capsule"),
        "travel": ("{n} jours à Lisbonne", "lever de soleil sur les Dolomites"),
    },
}
# Call-to-action endings, by platform (empty string: none).
CALLS_TO_ACTION: dict[str, tuple[str, ...]] = {
    "tiktok": ("", "", "Follow for part 2", "Wait for the end 😅", "Would you try this?"),
    "instagram": ("", "", "Link in bio", "Save this for later 📌", "Tag a friend who needs this"),
    "youtube": ("", "Full list in the description.", "Subscribe for more.", "Timestamps below."),
    "facebook": ("", "", "Share with someone who'd love this!", "What would you add?"),
    "linkedin": ("", "What would you add?", "Curious how others handle this.", "Agree or disagree?"),
    "twitter": ("", "", "🧵", "Thoughts?"),
    "pinterest": ("", "Save for later.", "Step by step inside."),
    "threads": ("", "", "Thoughts?", "Anyone else?"),
    "bluesky": ("", "", "Thoughts?", "More in the thread."),
}
# An account's language: most write in English.
ACCOUNT_LANGUAGES = ("en", "es", "pt", "de", "fr")
ACCOUNT_LANGUAGE_WEIGHTS = (78, 8, 7, 4, 3)
# Tags a creator writing in another language adds (Unicode on purpose: the pipeline must keep them).
LANGUAGE_TAGS: dict[str, tuple[str, ...]] = {
    "es": ("españa", "méxico", "latinoamérica", "enespañol"),
    "pt": ("brasil", "portugal", "conteúdobr"),
    "de": ("deutschland", "fürdich", "österreich"),
    "fr": ("france", "québec", "montréal", "enfrançais"),
}
EMOJI = ("", "", "", "✨", "🔥", "👀", "🙌", "😅", "💡")
# Endings that make a series of posts on one topic read as different posts ({k}: part, {ep}:
# episode, {year}: the post's year). Empty strings weight the plain topic.
TOPIC_SUFFIXES = (
    "", "", "", "", "", " (part {k})", " (part {k})", ", episode {ep}", " - {year} edition", " (beginner friendly)",
    " - what I'd do differently", " on a budget", " in under a minute", " vs last year", ", the follow-up",
    " - {n} mistakes to avoid", " with my mom", " at {n} am", ", explained", " (not sponsored)",
)
