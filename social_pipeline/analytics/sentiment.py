"""Comment sentiment with VADER, scored only where VADER can be trusted.

Model
    VADER (``vaderSentiment`` package), a lexicon-and-rules model built for social-media text:
    it handles negation ("not good"), intensifiers ("so good"), capitals, "!!!", slang and
    emoticons ("lol", "smh", ":)"), and ships its lexicons inside the wheel, so scoring needs no
    network and no download step. One analyzer is built lazily and shared.

Score and label
    ``score`` is VADER's *compound* score (already in [-1, 1]) rounded to 2 decimals, which is
    what ``social_comments.sentiment_score DECIMAL(3,2)`` stores. The label uses VADER's
    standard thresholds, applied to the rounded score so the stored label and score always
    agree::

        score >=  0.05  -> 'positive'
        score <= -0.05  -> 'negative'
        otherwise       -> 'neutral'

Emoji
    VADER reads an emoji through its English description ("😍" -> "smiling face with
    heart-eyes"). That misreads some of the most common emoji in comments: "🔥" becomes
    "fire" (negative in the lexicon) and "👍", "💯", "👏" describe to words with no valence.
    ``EMOJI_AS_WORD`` replaces a short list of those with a lexicon word of the meaning they
    carry in comments ("🔥" -> "awesome", "👎" -> "bad"); every other emoji keeps VADER's
    description. Variation selectors, zero-width joiners and skin-tone modifiers are removed
    first ("❤️" scores as "❤", "👍🏽" as "👍"). Emoji-only comments are scored.

Comment words
    ``COMMENT_LEXICON`` adds a few words of comment sections VADER lacks or misreads there
    ("underrated" +1.5, "overrated" -1.5, "cringe", "clickbait", "pointless", "genius",
    "wholesome"; "obsessed" is praise in comments, not VADER's -0.7). The valences are our
    judgement, on VADER's -4..+4 scale.

Language
    VADER's lexicon is English. A comment in another language is left unscored (label and
    score ``None``, ``reason='unsupported language: xx'``), never called neutral; a Spanish
    "Me encanta este video" would otherwise come out neutral because VADER knows none of its
    words. Detection is a small deterministic heuristic over the scored text (no network, no
    model, same answer every run), after @mentions and URLs are removed:

    1. Letters are counted by Unicode script. If letters of one non-Latin script outnumber the
       Latin ones, the comment is unscored with that script's usual language: Arabic ``ar``
       (``fa``/``ur`` when their own letters appear), Hebrew ``he``, kana ``ja``, other Han
       ``zh``, Hangul ``ko``, Cyrillic ``ru`` (``uk`` with і/ї/є/ґ), Devanagari ``hi``, Thai
       ``th``, Greek ``el``, and the other Indic and Asian scripts; an unlisted script gives
       ``und``. For scripts shared by several languages the code is a best guess; what is
       certain is that the text is not English.
    2. Latin-script words are counted as evidence: a word from a list of common English words
       and contractions counts 1 (the list covers the words of short comments, "same", "saved",
       "channel", "exactly", and leaves out words other languages share: "in", "come", "once",
       "real", "video"); any other word in VADER's lexicon (``lol``, ``awesome``; it also holds
       words used abroad, like ``amor``, ``super``, ``horrible``), an English word other
       languages borrowed ("link", "bio", "video", "edit", "ok"), or an unlisted ASCII word of
       five letters or more ending in -ing, -ed, -ly, -less or -ful ("underrated", "filming")
       counts 0.5. Against that, each of Spanish, Portuguese, French, German, Italian, Dutch,
       Indonesian, Turkish, Polish and Vietnamese scores 1 per marker word (``que``, ``muito``,
       ``très``, ``nicht``, ``molto``...); a word no marker list names scores 1 for each
       language with a letter peculiar to it in the word (ñ, ã, ß/ä/ö/ü, ł, ğ, ư...), plus 1
       for "¿"/"¡" (Spanish). So "Underrated channel", "Link in bio" and "Part 2 coming
       Friday!" are English, "Link in der Bio" German, "Mükemmel" Turkish.
    3. English (scored, ``language='en'``) if its evidence is greater than the best other
       language's; otherwise that language is unsupported, recorded with its code and the
       reason ``unsupported language: xx`` (no lexicon for it here); a tie such as "Gracias bro"
       is ambiguous and left unscored. Latin text with no evidence at all ("bruh", "Nzuri
       sana") is unscored with ``reason='language not recognised'`` rather than guessed
       neutral.
    4. Text with no letters at all (emoji, emoticons, numbers) is scored, with
       ``language=None``: it has no language, and VADER reads emoji and emoticons.

Limits
    VADER's cost grows with the square of the number of words, so a 1 MB comment would take
    hours. Only the first ``MAX_SCORED_CHARS`` characters (5,000, cut at a space; the whole
    of nearly every real comment) are examined, and of those at most ``MAX_SCORED_WORDS`` (500)
    words after emoji are expanded are scored, well under a second in the worst case. A
    comment cut this way is still scored and says so in ``reason`` ("scored the first ...");
    ``reason`` is ``None`` for a comment scored whole.

Text is NFKC-normalised first, so the "fancy font" letters common in bios and comments
("𝓘 𝓵𝓸𝓿𝓮 𝓲𝓽", "ＬＯＶＥ") read as the plain letters they stand for. Empty input (``None``,
NaN, "", whitespace) is unscored with ``reason='empty text'``.
"""

from __future__ import annotations

import math
from functools import lru_cache
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

Label = Literal["positive", "negative", "neutral"]

POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05
MAX_SCORED_CHARS = 5_000
MAX_SCORED_WORDS = 500

# Emoji whose VADER description misreads how they are used in comments, as a lexicon word of
# the meaning they carry there (the word's lexicon valence, -4..+4, is noted).
EMOJI_AS_WORD: dict[str, str] = {
    "🔥": "awesome",     # 3.1; VADER describes it as "fire" (-1.4)
    "💯": "perfect",     # 2.7; "hundred points" (0)
    "👍": "good",        # 1.9; "thumbs up" (0)
    "👎": "bad",         # -2.5; "thumbs down" (0)
    "👏": "applause",    # 1.8; "clapping hands" (0)
    "🙌": "yay",         # 2.4; "raising hands" (0)
    "🙏": "thanks",      # 1.9; "folded hands" (0)
    "🐐": "best",        # 3.2; "goat" (0), i.e. greatest of all time
    "💩": "crap",        # -1.6; "pile of poo" (0)
    "🤮": "disgusting",  # -2.4; "face vomiting" (0)
    "😡": "angry",       # -2.3; "pouting face" (0)
    "🤬": "furious",     # -2.7; "face with symbols on mouth" (0)
    "🙄": "annoyed",     # -1.6; "face with rolling eyes" (0)
    "😒": "annoyed",     # -1.6; "unamused face" (0)
}

# Words of comment sections VADER's lexicon lacks or reads otherwise, with the valence (-4..+4)
# they carry there. Our own judgement, kept short and conservative (VADER's entries are means of
# ten raters; these are not).
COMMENT_LEXICON: dict[str, float] = {
    "underrated": 1.5,   # "Underrated channel" is praise; not in VADER
    "overrated": -1.5,   # not in VADER
    "cringe": -1.8,      # not in VADER
    "clickbait": -1.8,   # not in VADER
    "pointless": -1.6,   # not in VADER
    "genius": 2.4,       # not in VADER
    "wholesome": 2.0,    # not in VADER
    "obsessed": 1.5,     # VADER -0.7; "obsessed with this" is praise in comments
}

# Removed before scoring: variation selectors, zero-width joiner/non-joiner, skin tones.
_EMOJI_NOISE = re.compile("[\ufe0e\ufe0f\u200d\u200c\U0001f3fb-\U0001f3ff]")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)@[\w.]+")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


@dataclass(frozen=True)
class Sentiment:
    """One comment's sentiment. ``label`` and ``score`` are both set or both ``None``."""

    label: Label | None
    score: float | None
    language: str | None
    reason: str | None

    @property
    def scored(self) -> bool:
        return self.label is not None


# --------------------------------------------------------------------------------------------
# Language
# --------------------------------------------------------------------------------------------

# First word of a letter's Unicode name -> language code for text written in that script.
_SCRIPT_LANGUAGE = {
    "ARABIC": "ar", "HEBREW": "he", "CJK": "zh", "HIRAGANA": "ja", "KATAKANA": "ja",
    "HANGUL": "ko", "CYRILLIC": "ru", "DEVANAGARI": "hi", "THAI": "th", "GREEK": "el",
    "BENGALI": "bn", "TAMIL": "ta", "TELUGU": "te", "GUJARATI": "gu", "GURMUKHI": "pa",
    "KANNADA": "kn", "MALAYALAM": "ml", "ORIYA": "or", "SINHALA": "si", "ARMENIAN": "hy",
    "GEORGIAN": "ka", "ETHIOPIC": "am", "KHMER": "km", "LAO": "lo", "MYANMAR": "my",
    "TIBETAN": "bo", "MONGOLIAN": "mn", "THAANA": "dv", "SYRIAC": "syr", "NKO": "nqo",
}
_UKRAINIAN_LETTERS = set("іїєґІЇЄҐ")
_PERSIAN_LETTERS = set("پچژگکی")
_URDU_LETTERS = set("ٹڈڑںےھ")

_ENGLISH_WORDS = frozenset("""
the this that these those there their they them then than what when where which who whom whose
why how you your yours you're youre u ur he she his her him it its it's we our ours us i'm im
i've i'll i'd my mine myself and but or nor if because while with without about above below
from into onto over under after before again just only also very really too much many more
most some any every each all both few other such own same not never nothing can can't cant
could couldn't should shouldn't would wouldn't will won't wont shall may might must do does
did don't dont doesn't didn't done doing have has had haven't hasn't having be been being am
are aren't isn't was wasn't were weren't of at by for to on off up down out here now
yes yeah yep nope please thanks thank thx guys bro dude gonna wanna gotta ain't y'all lol lmao
omg wtf smh tbh imo idk ngl fr btw got get gets getting make made makes go going went gone
know think see look looks want need one two first last next new good better best bad worse
worst great nice cool love like hate song day time people thing things way
ago almost already always anyone anything anyway around ask asked away back basically believe
big bit blessed bought bring brought buy called came cannot care channel check clearly comes
coming comment comments creator crying deserve deserves different easy editing either else ending
enough ever everyone everything exactly explain explained eyes feel feels find finally follow
followed following found friend friends full funny gave give glad happen happened hear heard help
helped helps hey hi home honestly hope hours house instead keep kept knew later learn learned least
left let let's life literally little looked looking lot lots maybe mean means morning music needed
needs night nobody none obviously ones others perfect person pick pretty probably put quick
quite rather ready recipe right said saw say saying says second seconds seen send set show shows
since small something sometimes soon sorry start started stay stuff sure take taking talk tell
thought through tho thru till tips today together tomorrow told took tried trip true try trying
turn understand until used using usually wait watch watched watching well whole wish wonder words
work worked working works world worth year years yesterday yet young yourself same account
quality vibes subscribed subscribe follow followers filming literally agreed agree disagree
underrated overrated awesome amazing helpful useful boring awful annoying incredible genius
pointless
""".split())
_ENGLISH_SUFFIXES = ("n't", "'s", "'re", "'ve", "'ll", "'d", "'m")
# English endings that are weak evidence (0.5) for a word no list names ("underrated", "filming",
# "exactly"): rare at the end of Spanish, Portuguese, French or Italian words, and a marker word of
# another language still counts for that language instead.
_ENGLISH_WEAK_ENDINGS = ("ing", "ed", "ly", "less", "ful")
# English words other languages borrowed, weak evidence (0.5) like the lexicon's words: "Link in
# bio" is English, "Link in der Bio" German.
_ENGLISH_WEAK_WORDS = frozenset("link bio edit clip post content video ok okay vibe".split())
_ENGLISH_WEAK_MIN_LENGTH = 5

# Words common in a language that are not also English words ("a", "no", "in", "die", "super",
# "bravo", "legal", "per", "van"... are left out, so an English comment is not taken for them).
_MARKER_WORDS: dict[str, frozenset[str]] = {
    "es": frozenset("""el la los las es está están eres soy somos muy que qué pero para por con
        una uno unos del lo le les mi mis tu tus su sus este esta esto eso esa ese como cómo
        cuando donde dónde porque también más menos ser estar bien bueno buena buenísimo
        gracias hola encanta gusta hermosa hermoso bonito bonita increíble mejor peor nada
        siempre nunca tú él ella nosotros ustedes hace hacer tiene tengo quiero puedo sí
        cuál jaja jajaja jajajaja feliz buen así sigue justo sirvió compraste usas funciona alguien
        viendo guardado después cuánto necesito necesitaba mira gustó aburrido verdad pésimo
        escucha acuerdo pérdida tiempo peor máximo exacto totalmente muchas pregunta próximo
        alegra verlo""".split()),
    "pt": frozenset("""não você vocês muito muita obrigado obrigada é são uma com pra que mais
        mas isso esse essa este esta também eu meu minha seu sua tudo bem bom boa ótimo ótima
        lindo linda demais amei adoro kkk kkkk kkkkk gente está estou tá foi ser ter tem nós
        ele ela eles elas aqui agora sempre nunca obg parabéns arrasou salvei onde comprou qual
        iniciantes alguém demorou gostei chato péssimo dá ouvir concordo perda sério verdade
        mesmo né valeu pelo carinho vou melhorar compartilhar conteúdo qualidade melhor hoje
        vídeo incrível já vai cadê""".split()),
    "fr": frozenset("""le les est très je tu il elle nous vous ils elles pas une des du et mais
        avec pour dans sur ce cette ces c'est j'ai n'est merci bonjour salut trop bien
        magnifique génial qui quoi comme aussi mon ma mes ton ta tes sa ses être avoir fait
        faire vraiment toujours jamais rien tout tous mdr ptdr oui svp ça où quelle quel perte
        temps dommage partie trouvé retour mieux beaucoup lien bonne débutants regarde combien
        marche chez nul moi toi vrai faux lundi mardi mercredi jeudi vendredi samedi
        dimanche""".split()),
    "de": frozenset("""der das dem den des ist nicht und sehr ich du sie wir ihr ein eine einen
        einem mit für auf aus bei nach von zu zum zur auch aber oder wie schön danke bitte gut
        geil ja nein hier jetzt immer nie nichts alles mein dein sein kein keine ganz wirklich
        echt habe hast sind bist wird mich dich mir dir dass noch schon heute bestes einfach
        stimmt genau gespeichert langweilig schlecht schlechter leider schade welche welcher
        welches benutzt gemacht richtig freut geholfen kommt vielen frage besser nächsten
        gedauert""".split()),
    "it": frozenset("""il lo gli della dello delle degli che è sono molto grazie questo questa
        questi quello quella con ma anche più bello bella bellissimo bellissima brava
        bravissimo ciao tutto tutti sempre mai niente io tu lui lei noi voi loro mio mia tuo
        tua suo sua fatto fare essere avere hai abbiamo troppo ancora sei stai dove favore niente
        perso peccato dopo usi salvato noia delusione piaciuto grazie mille bravissima migliore oggi
        chi esce prossima volta meglio ahahah lunedì martedì mercoledì giovedì venerdì sabato
        domenica""".split()),
    "nl": frozenset("""het een niet ik jij je hij zij wij jullie zijn ben bent heb hebt heeft dit
        dat deze voor maar ook erg mooi leuk echt goed slecht dank bedankt wat waar altijd
        nooit niets alles geen""".split()),
    "id": frozenset("""yang dan ini itu saya aku kamu dia kami kita mereka tidak bukan sangat
        bagus sekali banget terima kasih dengan untuk dari ada juga sudah belum bisa mau apa
        siapa kenapa gimana keren mantap suka cantik ganteng""".split()),
    "tr": frozenset("""ve bir bu şu çok için ile ama değil var yok ben sen biz siz onlar güzel
        harika teşekkürler teşekkür ederim mükemmel nasıl neden gibi daha""".split()),
    "pl": frozenset("""nie jest się jak ale czy bardzo dobry dobre dziękuję fajny fajne jestem
        jesteś jesteśmy mam masz tak też już tylko więc bo który która""".split()),
}
_MARKER_LETTERS: dict[str, frozenset[str]] = {
    "es": frozenset("ñ"),
    "pt": frozenset("ãõ"),
    "fr": frozenset("œ"),
    "de": frozenset("ßäöü"),
    "tr": frozenset("ğış"),
    "pl": frozenset("łąęśźżńć"),
    "vi": frozenset("đươ" + "".join(chr(c) for c in range(0x1EA0, 0x1EFA))),
}
_MARKED_LANGUAGES = tuple(dict.fromkeys([*_MARKER_WORDS, *_MARKER_LETTERS]))
_FRENCH_ELISION = re.compile(r"^(?:l|d|j|c|n|qu|s|m|t)'[^\W\d_]")


def _script_of(ch: str) -> str:
    if ch.isascii():
        return "LATIN"
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def _non_latin_language(letters: str) -> str:
    """The language code for text whose letters are mostly of one non-Latin script."""
    scripts = Counter(_script_of(ch) for ch in letters)
    scripts.pop("LATIN", None)
    if scripts["HIRAGANA"] or scripts["KATAKANA"]:
        return "ja"  # Japanese mixes kana with Han characters
    script = scripts.most_common(1)[0][0]
    language = _SCRIPT_LANGUAGE.get(script, "und")
    present = set(letters)
    if language == "ru" and present & _UKRAINIAN_LETTERS:
        return "uk"
    if language == "ar":
        if present & _URDU_LETTERS:
            return "ur"
        if present & _PERSIAN_LETTERS:
            return "fa"
    return language


def _latin_language(text: str, lexicon: dict[str, float]) -> str | None:
    """'en', another language's code, or None when there is no evidence either way."""
    english = 0.0
    other: Counter[str] = Counter()
    for word in _WORD.findall(text.casefold().replace("\u2019", "'")):
        if word in _ENGLISH_WORDS or (word.endswith(_ENGLISH_SUFFIXES) and len(word) > 2
                                      and not _FRENCH_ELISION.match(word)):
            english += 1
            continue
        # A marker word names its language(s); only a word no list names is read by its letters
        # (so Turkish "mükemmel" is not also counted German for its "ü").
        languages = [language for language in _MARKED_LANGUAGES
                     if word in _MARKER_WORDS.get(language, ())]
        if not languages:
            languages = [language for language in _MARKED_LANGUAGES
                         if any(ch in _MARKER_LETTERS.get(language, ()) for ch in word)
                         or (language == "fr" and _FRENCH_ELISION.match(word))]
        other.update(languages)
        foreign = bool(languages)
        if not foreign and len(word) > 1 and (word in lexicon or word in _ENGLISH_WEAK_WORDS):
            english += 0.5
        elif (not foreign and len(word) >= _ENGLISH_WEAK_MIN_LENGTH
              and word.endswith(_ENGLISH_WEAK_ENDINGS) and word.isascii()):
            english += 0.5
    if "¿" in text or "¡" in text:
        other["es"] += 1
    best_language, best = other.most_common(1)[0] if other else (None, 0)
    if english > best:
        return "en"
    return best_language


def _detect(text: str, lexicon: dict[str, float]) -> tuple[str | None, bool]:
    """(language code or None, whether the text has letters outside @mentions and URLs)."""
    text = _MENTION.sub(" ", _URL.sub(" ", text))
    letters = "".join(ch for ch in text if ch.isalpha())
    if not letters:
        return None, False
    latin = sum(1 for ch in letters if _script_of(ch) == "LATIN")
    if latin * 2 < len(letters):
        return _non_latin_language(letters), True
    return _latin_language(text, lexicon), True


def detect_language(text: str) -> str | None:
    """Language code of ``text`` by the heuristic in the module docstring.

    ``None`` for text with no letters, and for Latin-script text with no evidence of any
    language.
    """
    return _detect(text, _analyzer().lexicon)[0]


# --------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------

_ANALYZER: SentimentIntensityAnalyzer | None = None
_EMOJI_TEXT: dict[str, str] = {}
_LOCK = threading.Lock()


def _analyzer() -> SentimentIntensityAnalyzer:
    """The shared analyzer. Emoji are expanded here (see ``_expand_emoji``), not by VADER."""
    global _ANALYZER
    if _ANALYZER is None:
        with _LOCK:
            if _ANALYZER is None:
                analyzer = SentimentIntensityAnalyzer()
                analyzer.lexicon.update(COMMENT_LEXICON)
                _EMOJI_TEXT.update({emoji: f" {text} " for emoji, text in analyzer.emojis.items()})
                _EMOJI_TEXT.update({emoji: f" {word} " for emoji, word in EMOJI_AS_WORD.items()})
                analyzer.emojis = {}
                _ANALYZER = analyzer
    return _ANALYZER


def _expand_emoji(text: str) -> str:
    if text.isascii():
        return text
    return "".join(_EMOJI_TEXT.get(ch, ch) for ch in text)


def _unscored(reason: str, language: str | None = None) -> Sentiment:
    return Sentiment(label=None, score=None, language=language, reason=reason)


def label_for(score: float) -> Label:
    """VADER's standard thresholds, on the rounded score."""
    if score >= POSITIVE_THRESHOLD:
        return "positive"
    if score <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


def _score(text: object, analyzer: SentimentIntensityAnalyzer) -> Sentiment:
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return _unscored("empty text")
    if not isinstance(text, str):
        raise TypeError(f"comment text must be str or None, not {type(text).__name__}")

    truncated = False
    text = text.strip()
    if len(text) > MAX_SCORED_CHARS:
        truncated = True
        cut = text.rfind(" ", 0, MAX_SCORED_CHARS + 1)
        text = text[: cut if cut > MAX_SCORED_CHARS // 2 else MAX_SCORED_CHARS]
    text = _EMOJI_NOISE.sub("", unicodedata.normalize("NFKC", text)).strip()
    if not text:
        return _unscored("empty text")

    language, has_letters = _detect(text, analyzer.lexicon)
    if language is None and has_letters:
        return _unscored("language not recognised")
    if language is not None and language != "en":
        return _unscored(f"unsupported language: {language}", language)

    words = _expand_emoji(text).split()
    if len(words) > MAX_SCORED_WORDS:
        truncated = True
        words = words[:MAX_SCORED_WORDS]
    compound = analyzer.polarity_scores(" ".join(words))["compound"]
    score = min(1.0, max(-1.0, round(compound, 2))) + 0.0  # + 0.0 turns -0.0 into 0.0
    reason = (f"scored the first {len(words)} words of a longer text" if truncated else None)
    return Sentiment(label=label_for(score), score=score, language=language, reason=reason)


def score_comment(text: str | None) -> Sentiment:
    """Sentiment of one comment (see the module docstring for every rule)."""
    return _score(text, _analyzer())


def score_comments(texts: Iterable[str | None]) -> list[Sentiment]:
    """``score_comment`` over many comments, with one shared analyzer. A text is scored once per
    process however often it recurs: a comment is re-fetched every day while its post is
    tracked, and short reactions ("🔥🔥🔥", "Love this!") repeat across posts."""
    return [_memo(text) if isinstance(text, str) else _score(text, _analyzer()) for text in texts]


@lru_cache(maxsize=200_000)
def _memo(text: str) -> Sentiment:
    return _score(text, _analyzer())
