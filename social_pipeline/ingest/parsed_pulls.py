"""Each pull parsed once: the normalized assets read parsed records, not raw payloads.

Every normalized asset of a day needs the same parsed records (posts, comments, account
figures), and parsing a day at agency scale (a million comments) costs far more than any one
asset's own work. So the raw asset, which parses each pull anyway to count what it fetched,
keeps the result in a local cache, one pair of files per pull: ``<pull_id>.core`` (account,
posts, demographics) and ``<pull_id>.comments``. Comments sit apart because only the comments
asset needs them.

The cache is exact, not approximate: a pull's rows in ``social_raw_pulls`` never change (a re-pull
gets a new ``pull_id``), the records are parsed from the same cleaned rows that are stored, and
the key also holds a digest of the parsing code, so an upgrade never serves records parsed by old
code. A pull missing from the cache (another machine ran the raw asset, the cache was deleted,
a test wrote raw rows by hand) is read from Postgres and parsed, and then cached.
``SOCIAL_PIPELINE_PARSE_CACHE`` names another folder for it, or ``off`` turns it off;
each raw asset run removes files older than a week (older days re-parse from Postgres).

Only files this process's code wrote under the project home are ever unpickled.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import time
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from ..platforms.base import ParsedPull, ParseError, PlatformError, RawResponse
from .pulling import RAW_COLUMNS, client_class_for, responses_from_frame
from ..storage.database import project_home

CACHE_ENV = "SOCIAL_PIPELINE_PARSE_CACHE"
KEEP_SECONDS = 7 * 86400
QUARANTINABLE = (ParseError, PlatformError, ValueError, TypeError, KeyError, AttributeError)


@dataclass
class Parsed:
    """One pull's parse: the records, or why the pull was quarantined."""

    parsed: ParsedPull | None
    reason: str | None = None
    comment_count: int = 0


def validate(parsed: ParsedPull) -> None:
    """What the normalized tables need beyond the client's own checks; normalizes wrong-typed
    author fields in place."""
    seen = set()
    for post in parsed.posts:
        pid = post.get("external_post_id")
        if not isinstance(pid, str) or not pid or len(pid) > 255:
            raise ParseError(f"post without a usable id: {str(pid)[:60]!r}")
        seen.add(pid)
    for comment in parsed.comments:
        if comment.get("external_post_id") not in seen:
            raise ParseError("comment refers to a post not in the pull")
        parent = comment.get("parent_external_comment_id")
        if parent is not None and not isinstance(parent, str):
            raise ParseError(f"comment parent id is not a string: {type(parent).__name__}")
        for name in ("author_username", "author_external_id"):
            # A display name of the wrong type is dropped, not stored as something else.
            if comment.get(name) is not None and not isinstance(comment[name], str):
                comment[name] = str(comment[name]) if isinstance(comment[name], int) and name == "author_external_id" else None
        cid = comment.get("external_comment_id")
        if not isinstance(cid, str) or not cid or len(cid) > 255:
            raise ParseError(f"comment without a usable id: {str(cid)[:60]!r}")


def parse_responses(platform: str, provider: str, responses: list[RawResponse]) -> Parsed:
    """Parse one pull's responses (in fetch order); a bad body quarantines the pull, with why."""
    try:
        parsed = client_class_for(platform, provider).parse(responses)
        validate(parsed)
    except QUARANTINABLE as exc:
        return Parsed(None, f"unparseable {platform} response: {type(exc).__name__}: {exc}"[:1000])
    return Parsed(parsed, comment_count=len(parsed.comments))


# -- the cache ---------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the code that turns responses into records (clients, validation)."""
    here = Path(__file__).resolve().parent
    package = here.parent
    digest = hashlib.sha256()
    for path in sorted([*package.glob("platforms/**/*.py"), here / "parsed_pulls.py", here / "pulling.py"]):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_root() -> Path | None:
    """``$SOCIAL_PIPELINE_PARSE_CACHE`` when it names a folder, none when it says ``off``, else
    ``cache/parsed`` under the project home."""
    setting = os.environ.get(CACHE_ENV, "").strip()
    if setting.lower() in ("off", "0", "false", "no"):
        return None
    return Path(setting).expanduser() if setting else project_home() / "cache" / "parsed"


def cache_dir() -> Path | None:
    root = cache_root()
    return None if root is None else root / code_digest()


def _paths(folder: Path, pull_id: str) -> tuple[Path, Path]:
    name = str(pull_id)
    if not name.replace("-", "").isalnum():  # pull ids are UUIDs; anything else is not a file name
        raise ValueError(f"not a pull id: {name[:40]!r}")
    return folder / f"{name}.core", folder / f"{name}.comments"


def _write(path: Path, value: Any) -> None:
    """Atomically: readers never see half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def store(pull_id: str, result: Parsed) -> None:
    """Keep one pull's parse (best effort: a full disk only costs a re-parse later)."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        core, comments = _paths(folder, pull_id)
        if result.parsed is None:
            _write(core, result)
            return
        _write(comments, result.parsed.comments)
        _write(core, Parsed(replace(result.parsed, comments=[]), None, result.comment_count))
    except OSError:
        pass


def _load(pull_id: str, with_comments: bool) -> Parsed | None:
    folder = cache_dir()
    if folder is None:
        return None
    core, comments = _paths(folder, pull_id)
    try:
        with open(core, "rb") as f:
            result: Parsed = pickle.load(f)
        if result.parsed is not None and with_comments:
            with open(comments, "rb") as f:
                result = Parsed(replace(result.parsed, comments=pickle.load(f)), None, result.comment_count)
    except (OSError, pickle.UnpicklingError, EOFError):
        return None
    return result


def prune(now: float | None = None) -> int:
    """Remove cache files older than a week, and caches of other code versions. Returns how many."""
    root = cache_root()
    if root is None or not root.exists():
        return 0
    cutoff = (now or time.time()) - KEEP_SECONDS
    removed = 0
    for path in root.glob("*/*"):
        try:
            if path.stat().st_mtime < cutoff or path.parent.name != code_digest():
                path.unlink()
                removed += 1
        except OSError:
            pass
    return removed


# -- reading a day's pulls ---------------------------------------------------------------------
def parsed_pulls(
    pulls: Iterable[tuple[str, str, str]],
    database,
    *,
    with_comments: bool = True,
) -> dict[str, Parsed]:
    """pull_id -> parse of each (pull_id, platform, provider): from the cache, else from the
    stored rows (then cached). ``database`` is the Database resource (used only on misses)."""
    wanted = list(dict.fromkeys(pulls))
    out: dict[str, Parsed] = {}
    missing = []
    for pull_id, platform, provider in wanted:
        hit = _load(pull_id, with_comments)
        if hit is not None:
            out[pull_id] = hit
        else:
            missing.append((pull_id, platform, provider))
    if missing:
        out.update(_parse_stored(missing, database))
    return out


def _parse_stored(missing: list[tuple[str, str, str]], database, batch: int = 200) -> dict[str, Parsed]:
    cols = ", ".join(f'"{c}"' for c in RAW_COLUMNS)
    out = {}
    for start in range(0, len(missing), batch):
        chunk = missing[start:start + batch]
        with database.connect() as conn, conn.cursor() as cur:
            cur.execute(
                f"SELECT {cols} FROM social_raw_pulls WHERE pull_id = ANY(%s::uuid[]) AND partition_hour IS NULL",
                ([p[0] for p in chunk],),
            )
            frame = pd.DataFrame(cur.fetchall(), columns=list(RAW_COLUMNS))
        frame["pull_id"] = frame["pull_id"].astype(str)
        groups = dict(tuple(frame.groupby("pull_id", sort=False))) if len(frame) else {}
        for pull_id, platform, provider in chunk:
            rows = groups.get(str(pull_id))
            responses = responses_from_frame(rows) if rows is not None else []
            result = parse_responses(platform, provider, responses)
            store(pull_id, result)
            out[pull_id] = result
    return out
