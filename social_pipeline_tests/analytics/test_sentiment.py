import dataclasses

import pytest

from social_pipeline.analytics import sentiment
from social_pipeline.analytics.sentiment import (
    Sentiment,
    detect_language,
    label_for,
    score_comment,
    score_comments,
)


def _check_invariants(result: Sentiment) -> None:
    # What social_comments' CHECKs and the values_valid rule require.
    assert (result.label is None) == (result.score is None)
    if result.score is not None:
        assert -1 <= result.score <= 1 and round(result.score, 2) == result.score
        assert result.label == label_for(result.score)


@pytest.mark.parametrize("text, label", [
    ("I love this video, it's amazing!", "positive"),
    ("Great tutorial, thank you so much", "positive"),
    ("This is the worst product ever. Terrible.", "negative"),
    ("I hate how boring this was", "negative"),
    ("The video was uploaded on Tuesday.", "neutral"),
    ("Where can I buy this?", "neutral"),
])
def test_clear_english(text, label):
    result = score_comment(text)
    assert (result.label, result.language, result.reason) == (label, "en", None)
    _check_invariants(result)


@pytest.mark.parametrize("text, label", [
    ("omg this is so freaking awesome lol", "positive"),
    ("lmao", "positive"),
    ("ur vid sux smh", "negative"),
    ("wtf is this garbage", "negative"),
])
def test_slang(text, label):
    assert score_comment(text).label == label


def test_negation():
    assert score_comment("good").label == "positive"
    assert score_comment("not good").label == "negative"
    assert score_comment("This is not good at all").label == "negative"
    assert score_comment("I don't like it").label == "negative"


@pytest.mark.parametrize("text, label", [
    ("😍", "positive"),
    ("🔥🔥🔥", "positive"),      # VADER alone reads 🔥 as "fire", negative
    ("❤️", "positive"),          # variation selector removed
    ("👍🏽", "positive"),         # skin tone removed; 👍 alone has no valence in VADER
    ("💩💩", "negative"),
    ("😭", "negative"),
    (":)", "positive"),
    ("@maria 😍", "positive"),   # a mention is not language
])
def test_emoji_and_emoticon_only(text, label):
    result = score_comment(text)
    assert (result.label, result.language, result.reason) == (label, None, None)
    _check_invariants(result)


def test_emoji_inside_english_follows_vader_rules():
    assert score_comment("Thanks for the tutorial 🙏").label == "positive"
    assert score_comment("not 🔥").label == "negative"


@pytest.mark.parametrize("text, language", [
    ("Me encanta este video, es increíble", "es"),
    ("Que horrible", "es"),             # "horrible" is in VADER's lexicon, but this is Spanish
    ("¡Qué bonito!", "es"),
    ("Isso é muito bom", "pt"),
    ("C'est vraiment magnifique", "fr"),
    ("Das ist sehr gut", "de"),
    ("Questo video è bellissimo", "it"),
    ("Dit is echt mooi", "nl"),
    ("Bagus sekali", "id"),
    ("Çok güzel", "tr"),
    ("To jest bardzo dobre", "pl"),
    ("Rất hay", "vi"),
    ("هذا رائع جدا", "ar"),
    ("این فیلم خیلی خوب است", "fa"),
    ("זה מדהים", "he"),
    ("素晴らしい動画です", "ja"),
    ("これ最高 lol 😂", "ja"),
    ("这个视频太棒了", "zh"),
    ("정말 좋아요", "ko"),
    ("Это очень хорошо", "ru"),
    ("Мені це дуже подобається, і це чудово", "uk"),
    ("बहुत अच्छा", "hi"),
    ("สวยมาก", "th"),
    ("Πολύ ωραίο", "el"),
])
def test_other_languages_are_left_unscored_not_neutral(text, language):
    result = score_comment(text)
    assert result == Sentiment(label=None, score=None, language=language,
                               reason=f"unsupported language: {language}")


def test_unrecognised_or_ambiguous_latin_text_is_not_called_neutral():
    assert score_comment("bruh") == Sentiment(None, None, None, "language not recognised")
    assert score_comment("Nzuri sana") == Sentiment(None, None, None, "language not recognised")
    # One English word against one Spanish word: ambiguous, so unscored.
    assert score_comment("Gracias bro").label is None


def test_mixed_text_goes_by_the_majority():
    assert score_comment("I love this so much, best video ever 最高").language == "en"
    assert score_comment("Love it, gracias!").language == "en"
    assert detect_language("The end was great, pero el principio no") == "en"
    assert detect_language("Check https://example.com/que-es-esto @juan_perez it's great") == "en"


def test_fancy_unicode_letters_read_as_plain_letters():
    assert score_comment("𝓘 𝓵𝓸𝓿𝓮 𝓽𝓱𝓲𝓼").label == "positive"
    assert score_comment("ＴＨＩＳ ＩＳ ＴＥＲＲＩＢＬＥ").label == "negative"


def test_international_words_do_not_make_english_foreign():
    for text in ("Super!", "wow", "Amazing video, so good", "Nice 👍"):
        assert score_comment(text).language == "en", text


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t ", "\ufe0f", float("nan")])
def test_empty(text):
    assert score_comment(text) == Sentiment(None, None, None, "empty text")


def test_no_letters_is_scored_without_language():
    assert score_comment("10/10") == Sentiment("neutral", 0.0, None, None)


def test_rejects_non_text():
    with pytest.raises(TypeError):
        score_comment(42)  # type: ignore[arg-type]


def test_thresholds_are_vaders_on_the_rounded_score():
    assert sentiment.POSITIVE_THRESHOLD == 0.05 and sentiment.NEGATIVE_THRESHOLD == -0.05
    assert [label_for(s) for s in (1.0, 0.05, 0.04, 0.0, -0.04, -0.05, -1.0)] == [
        "positive", "positive", "neutral", "neutral", "neutral", "negative", "negative"]
    result = score_comment("meh")  # compound -0.0772
    assert (result.label, result.score) == ("negative", -0.08)


@pytest.mark.parametrize("text", [
    "good " * 200_000,                 # 1 MB of words
    "😍" * 1_000_000,                  # 1 M emoji, each several words once described
    "a" * 1_000_000,                   # one enormous word
    "😍 but not good!!! " * 60_000,    # sentiment-laden words, VADER's worst case
])
def test_very_long_text_is_bounded(text):
    result = score_comment(text)
    _check_invariants(result)
    if result.label is not None:
        assert result.reason.startswith("scored the first")


def test_long_text_is_scored_from_its_beginning():
    text = "I absolutely love this. " + "Filler words here. " * 2000 + "I hate it."
    result = score_comment(text)
    assert result.label == "positive" and result.reason is not None
    assert score_comment("I absolutely love this.").reason is None


def test_score_comments_matches_score_comment():
    texts = ["I love it", None, "Es muy bueno", "🔥", "not good"]
    assert score_comments(texts) == [score_comment(t) for t in texts]
    assert score_comments(iter(texts)) == score_comments(texts)
    assert score_comments([]) == []


def test_deterministic_and_frozen():
    first = score_comments(["Que horrible", "I love it", "bruh"] * 3)
    assert first == score_comments(["Que horrible", "I love it", "bruh"] * 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first[0].label = "positive"  # type: ignore[misc]
