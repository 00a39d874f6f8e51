"""Demo comments a creator would believe: many distinct texts in several languages, a tone that
follows the post, and sentiment that reads them (issue 16, deliverable 4)."""

import hashlib
import random
import statistics
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone

import pytest

from social_pipeline.analytics.sentiment import detect_language, score_comments
from social_pipeline.simulator import comment_text, world
from social_pipeline.simulator.comment_text import CREATOR, GRAMMAR, TONES

PLATFORMS = ("tiktok", "instagram", "youtube", "facebook", "twitter", "linkedin", "pinterest", "threads", "bluesky")
# Handles whose audiences differ (home markets are drawn from the handle), so the sample holds
# several languages.
HANDLES = ("demo.creator", "maria.cocina", "kenji_builds", "lena.fit", "rio.travels", "data.dan")
YEAR_END = datetime(2025, 1, 1, tzinfo=timezone.utc)  # the world starts on 2024-01-01


@pytest.fixture(scope="module")
def sample():
    """Every comment of every 4th post of 54 accounts over the demo world's first year."""
    rows = []
    for platform in PLATFORMS:
        for handle in HANDLES:
            for post in world.account(platform, handle).posts_until(YEAR_END)[::4]:
                rows.extend((post, c) for c in post.comments(YEAR_END))
    scores = score_comments([c.text for _, c in rows])
    return rows, scores


def test_thousands_of_distinct_texts_and_no_text_dominates(sample):
    rows, _ = sample
    counts = Counter(c.text for _, c in rows)
    top_text, top = counts.most_common(1)[0]
    assert len(rows) > 20_000
    assert len(counts) > 5_000, len(counts)
    assert top / len(rows) < 0.02, (top_text, top, len(rows))
    creator = Counter(c.text for _, c in rows if c.is_creator)
    assert sum(creator.values()) > 1_000 and len(creator) > 100
    assert creator.most_common(1)[0][1] / sum(creator.values()) < 0.05


def test_languages_present(sample):
    _, scores = sample
    languages = Counter(s.language for s in scores)
    for language in ("en", "es", "pt", "de", "fr", "ja"):
        assert languages[language] > 50, (language, languages)
    assert 0.4 < languages["en"] / len(scores) < 0.95, languages


def test_every_template_is_recognised_as_its_language():
    """What the grammar writes in a language is read as that language by the scorer (a text the
    scorer cannot place would be stored as 'language not recognised')."""
    post = world.account("tiktok", "demo.creator").posts_until(YEAR_END)[0]
    r = random.Random(16)
    misread = []
    for language, grammar in GRAMMAR.items():
        texts = [t for tone in TONES for t in grammar["templates"][tone]]
        texts += [t for kind in CREATOR[language].values() for t in kind]
        texts += [*grammar["slots"]["reply"], *grammar["slots"]["reply_neg"]]
        for template in texts:
            for _ in range(3):
                written = comment_text._fill(r, template, language, comment_text._extra_slots(post, language))
                if not any(ch.isalpha() for ch in comment_text._MENTION.sub("", written)):
                    continue  # "@nina 😂", "100%": no language to find
                if detect_language(written) != language:
                    misread.append((language, written, detect_language(written)))
    assert misread == []


def test_short_english_comments_are_english():
    for text in ("lol same", "ok but why tho", "Saved for later", "Underrated channel", "Link in bio",
                 "Part 2 coming Friday!", "Subscribed!", "Instant follow", "Exactly", "Overrated"):
        assert detect_language(text) == "en", text


def test_same_post_same_comments_and_across_processes():
    account = world.account("instagram", "maria.cocina")
    posts = account.posts_until(YEAR_END)[:40]
    first = [c.text for p in posts for c in comment_text_of(p)]
    again = [c.text for p in posts for c in comment_text_of(p)]
    assert first == again and len(first) > 100
    digest = hashlib.sha256("\n".join(first).encode()).hexdigest()
    code = (
        "import hashlib; from datetime import datetime, timezone;"
        "from social_pipeline.simulator import world;"
        "ps = world.account('instagram', 'maria.cocina').posts_until(datetime(2025, 1, 1, tzinfo=timezone.utc))[:40];"
        "print(hashlib.sha256('\\n'.join(c.text for p in ps for c in world._comments_of.__wrapped__(p)).encode()).hexdigest())"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "12345", "PATH": ""}, cwd=str(_repo_root()))
    assert other.stdout.strip() == digest


def comment_text_of(post):
    """The post's comments computed afresh (bypassing world's cache)."""
    return world._comments_of.__wrapped__(post)


def _repo_root():
    from pathlib import Path
    return Path(world.__file__).resolve().parents[2]


def test_sentiment_reads_the_comments_and_controversial_posts_score_lower(sample):
    rows, scores = sample
    reasons = Counter(s.reason for s in scores)
    not_recognised = reasons["language not recognised"] / len(scores)
    assert not_recognised < 0.02, reasons.most_common(5)
    # Every unscored comment says why: its language, never "not recognised" for a language we write.
    for s in scores:
        if s.label is None and s.reason != "language not recognised":
            assert s.reason == f"unsupported language: {s.language}"

    liked, split, piled_on = [], [], []
    for (post, c), s in zip(rows, scores):
        if s.score is None or c.is_creator:
            continue
        level = comment_text.controversy(post)
        (liked if level < 0.3 else split if level < 0.6 else piled_on).append(s.score)
    assert min(len(liked), len(piled_on)) > 500
    assert statistics.mean(liked) - statistics.mean(piled_on) > 0.15, (
        statistics.mean(liked), statistics.mean(split), statistics.mean(piled_on))
    negative_share = lambda xs: sum(x <= -0.05 for x in xs) / len(xs)  # noqa: E731
    assert negative_share(piled_on) > 2 * negative_share(liked)


def test_creator_answers_in_the_commenters_language(sample):
    rows, _ = sample
    by_post: dict = {}
    for post, c in rows:
        by_post.setdefault(post, {})[c.seq] = c
    pairs = [(detect_language(comments[c.parent_seq].text), detect_language(c.text))
             for comments in by_post.values() for c in comments.values()
             if c.is_creator and c.parent_seq in comments and not comments[c.parent_seq].is_creator]
    foreign = [(parent, reply) for parent, reply in pairs if parent in CREATOR and parent != "en"]
    assert len(foreign) > 100
    assert sum(parent == reply for parent, reply in foreign) / len(foreign) > 0.9


def test_comments_name_what_the_post_is_about(sample):
    rows, _ = sample
    hits = total = 0
    for post, c in rows:
        if c.is_creator or comment_text.language_of(c.text) != "en":
            continue
        total += 1
        hits += any(noun in c.text.casefold() for noun in comment_text.topic_nouns(post))
    assert total > 1_000 and hits / total > 0.05, (hits, total)


@pytest.mark.parametrize("text, language", [
    ("Link in der Bio", "de"),     # "link" and "bio" are borrowed, weak evidence for English
    ("Buen video", "es"),
    ("Mükemmel", "tr"),            # a Turkish marker word is not also German for its "ü"
    ("T'es trop fort", "fr"),
    ("Cadê a parte 2, gente?", "pt"),
    ("Che noia", "it"),
])
def test_borrowed_words_do_not_make_foreign_comments_english(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize("text, label", [
    ("Underrated channel", "positive"),
    ("Overrated", "negative"),
    ("Obsessed with this", "positive"),
    ("Cringe", "negative"),
    ("Pointless content", "negative"),
])
def test_comment_words_vader_lacks(text, label):
    from social_pipeline.analytics.sentiment import score_comment
    assert score_comment(text).label == label


def test_topic_follows_the_accounts_niche():
    """Every niche of the world has nouns here, and an account's comments use its niche's."""
    from social_pipeline.simulator import vocabulary

    assert set(vocabulary.NICHES) <= set(comment_text.NICHE_NOUNS)
    for platform in PLATFORMS:
        for handle in HANDLES:
            account = world.account(platform, handle)
            post = account.posts_until(YEAR_END)[0]
            assert comment_text.topic_nouns(post) == comment_text.NICHE_NOUNS[account.niche]
