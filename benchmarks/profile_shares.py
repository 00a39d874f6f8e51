"""Where a profiled run's time went: a pyinstrument session's self time, grouped by the code it
was spent in (Postgres driver, pandas/numpy, our parsing, our simulator, Dagster, ...)."""

from __future__ import annotations

from collections import Counter

# First matching fragment of a frame's file path (or function name for C calls) wins.
BUCKETS = (
    ("simulated API (network stand-in)", ("social_pipeline/simulator/",)),
    ("Postgres (psycopg, server round trips)", ("psycopg", "psycopg2", "sqlalchemy")),
    ("parsing (clients, JSON)", ("social_pipeline/platforms/", "social_pipeline/parsed_pulls", "json/", "<built-in>.loads", "requests/", "urllib3")),
    ("pandas / numpy", ("pandas/", "numpy/", "pyarrow/")),
    ("analytics (sentiment, threads, urls)", ("social_pipeline/analytics/", "vaderSentiment")),
    ("Dagster", ("dagster", "pydantic", "grpc")),
    ("our assets and IO manager", ("social_pipeline/",)),
)


def bucket_of(path: str) -> str:
    for name, fragments in BUCKETS:
        if any(f in path for f in fragments):
            return name
    return "other (Python runtime, stdlib)"


def shares(session) -> tuple[Counter, Counter]:
    """(seconds per bucket, seconds per function) of self time in the session's main thread.
    Time in C functions and pyinstrument's ``[self]`` entries counts for the nearest caller
    written in Python (``json.dumps`` called by the simulator is the simulator's time)."""
    per_bucket: Counter = Counter()
    per_function: Counter = Counter()
    stack = [(session.root_frame(), "", "?")]
    while stack:
        frame, inherited, inherited_name = stack.pop()
        if frame is None:
            continue
        real = frame.file_path and not frame.file_path.startswith("<") and not frame.function.startswith("[")
        path = frame.file_path if real else inherited
        name = f"{frame.function} ({frame.file_path_short}:{frame.line_no})" if real else inherited_name
        children = list(frame.children)
        own = max(frame.time - sum(c.time for c in children), 0.0)
        per_bucket[bucket_of(path)] += own
        per_function[name] += own
        stack.extend((c, path, name) for c in children)
    return per_bucket, per_function
