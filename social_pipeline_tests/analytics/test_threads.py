import copy
from datetime import datetime

from social_pipeline.analytics.threads import rebuild_threads


def c(cid, parent=None, author="fan", at=None):
    return {"external_comment_id": cid, "parent_external_comment_id": parent,
            "author_username": author, "commented_at": at}


def facts(rows, *keys):
    keys = keys or ("depth", "root_external_comment_id", "is_reply", "parent_missing", "cycle_broken")
    return {r["external_comment_id"]: tuple(r[k] for k in keys) for r in rows}


def test_top_level_and_simple_replies():
    rows = rebuild_threads([c("a"), c("b", "a"), c("d")])
    assert facts(rows) == {
        "a": (0, "a", False, False, False),
        "b": (1, "a", True, False, False),
        "d": (0, "d", False, False, False),
    }


def test_replies_before_their_parents():
    comments = [c("r3", "r2"), c("r2", "r1"), c("r1", "top"), c("top")]
    rows = rebuild_threads(comments)
    assert [r["external_comment_id"] for r in rows] == ["r3", "r2", "r1", "top"]  # input order
    assert facts(rows, "depth", "root_external_comment_id") == {
        "r3": (3, "top"), "r2": (2, "top"), "r1": (1, "top"), "top": (0, "top")}


def test_deep_nesting_without_recursion():
    n = 5000  # far beyond Python's recursion limit
    comments = [c(f"n{i}", f"n{i - 1}" if i else None) for i in range(n)]
    rows = rebuild_threads(list(reversed(comments)))
    by_id = {r["external_comment_id"]: r for r in rows}
    assert by_id[f"n{n - 1}"]["depth"] == n - 1
    assert all(r["root_external_comment_id"] == "n0" for r in rows)


def test_branching_thread():
    comments = [c("t"), c("a", "t"), c("b", "t"), c("a1", "a"), c("a2", "a"), c("a1x", "a1")]
    assert facts(rebuild_threads(comments), "depth") == {
        "t": (0,), "a": (1,), "b": (1,), "a1": (2,), "a2": (2,), "a1x": (3,)}


def test_missing_parent_keeps_the_reply():
    rows = rebuild_threads([c("child", "deleted"), c("grandchild", "child"), c("other")])
    assert facts(rows) == {
        "child": (1, "deleted", True, True, False),
        "grandchild": (2, "deleted", True, False, False),
        "other": (0, "other", False, False, False),
    }


def test_two_comment_cycle_is_cut_at_the_earliest():
    comments = [
        c("a", "b", at=datetime(2024, 5, 2)),
        c("b", "a", at=datetime(2024, 5, 1)),
        c("hanger", "a", at=datetime(2024, 5, 3)),
    ]
    assert facts(rebuild_threads(comments)) == {
        "b": (0, "b", False, False, True),
        "a": (1, "b", True, False, True),
        "hanger": (2, "b", True, False, False),
    }


def test_self_parent_and_longer_cycle_terminate():
    comments = [c("self", "self"), c("x", "z", at="2024-01-03T00:00:00Z"),
                c("y", "x", at="2024-01-01T00:00:00Z"), c("z", "y", at="2024-01-02T00:00:00Z")]
    rows = rebuild_threads(comments)
    assert facts(rows)["self"] == (0, "self", False, False, True)
    assert facts(rows, "depth", "root_external_comment_id", "cycle_broken") == {
        "self": (0, "self", True), "y": (0, "y", True), "z": (1, "y", True), "x": (2, "y", True)}


def test_cycle_without_times_is_cut_by_id_and_is_deterministic():
    comments = [c("q", "p"), c("p", "q")]
    first = rebuild_threads(comments)
    assert facts(first, "depth")["p"] == (0,)
    assert rebuild_threads(list(reversed(comments))) == list(reversed(first))


def test_large_cycle():
    n = 3000
    rows = rebuild_threads([c(str(i), str((i + 1) % n)) for i in range(n)])
    assert all(r["cycle_broken"] for r in rows)
    assert sorted(r["depth"] for r in rows) == list(range(n))


def test_creator_replies():
    comments = [
        c("p", author="fan1"),
        c("r1", "p", author="@TheCreator"),
        c("r2", "r1", author="fan2"),
        c("r3", "r2", author="thecreator"),
        c("own", None, author="TheCreator"),      # the creator's top-level comment: not a reply
        c("r4", "p", author="somebody_else"),
        c("r5", "p", author=None),
    ]
    rows = rebuild_threads(comments, creator_handles={" @thecreator"})
    assert facts(rows, "is_creator_reply") == {
        "p": (False,), "r1": (True,), "r2": (False,), "r3": (True,),
        "own": (False,), "r4": (False,), "r5": (False,)}
    assert not any(r["is_creator_reply"] for r in rebuild_threads(comments))


def test_ids_match_as_strings_and_empty_parent_is_top_level():
    rows = rebuild_threads([c(123), c("r", 123), c("s", "123"), c("t", "")])
    assert facts(rows, "depth", "root_external_comment_id") == {
        123: (0, 123), "r": (1, 123), "s": (1, 123), "t": (0, "t")}


def test_input_is_not_changed_and_keys_are_kept():
    comments = [c("a"), {**c("b", "a"), "comment_text": "hi", "likes_count": 3}]
    before = copy.deepcopy(comments)
    rows = rebuild_threads(comments)
    assert comments == before
    assert rows[1]["comment_text"] == "hi" and rows[1]["likes_count"] == 3
    assert rows[1] is not comments[1]


def test_empty_list():
    assert rebuild_threads([]) == []
