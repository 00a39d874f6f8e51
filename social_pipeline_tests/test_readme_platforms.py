"""The README's per-platform facts agree with the registry (each platform's PlatformSpec): the
table between the `platforms:begin`/`platforms:end` markers must be exactly the rows printed here
when it is not."""

import re
from pathlib import Path

from social_pipeline.platforms import SPECS
from social_pipeline.platforms.spec import COMMON_SETTINGS

README = Path(__file__).resolve().parents[1] / "README.md"
HEADER = (
    "| platform | providers | its settings (`SOCIAL_PIPELINE_<P>_...`) | requests / min | history the API serves "
    "| metrics refreshed for | token renewal | demo handle |"
)


def expected_rows() -> list[str]:
    rows = []
    for spec in SPECS.values():
        extra = [s.upper() for s in spec.all_settings if s not in COMMON_SETTINGS]
        history = f"{spec.history_days} days" if spec.history_days else "not capped"
        renewal = {"refresh_token": "refresh token", "exchange": "token exchange", "none": "none"}[spec.token.renewal]
        if spec.token.renewal != "none":
            renewal += f", {spec.token.refresh_ahead.days} day(s) ahead"
        rows.append(
            f"| {spec.name} | {', '.join(spec.providers)} | {', '.join(f'`{s}`' for s in extra) or '—'} "
            f"| {spec.requests_per_minute} | {history} | {spec.update_window_days} days | {renewal} "
            f"| `{spec.demo_handle}` |"
        )
    return rows


def readme_rows() -> list[str]:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- platforms:begin -->\n(.*?)<!-- platforms:end -->", text, re.S)
    assert found, "README.md has no <!-- platforms:begin --> ... <!-- platforms:end --> table"
    lines = [line.strip() for line in found.group(1).strip().splitlines()]
    assert lines[0] == HEADER, f"the table's header should be:\n{HEADER}"
    return [line for line in lines[2:] if line.startswith("|")]


def test_readme_platform_table_matches_the_registry():
    expected = expected_rows()
    assert readme_rows() == expected, "README.md's platform table should read:\n" + "\n".join(
        [HEADER, "|" + "---|" * 8, *expected]
    )


BASE_HEADER = "| platform | provider | `BASE_URL` when unset: the API's host and path |"


def expected_base_rows() -> list[str]:
    return [
        f"| {spec.name} | {provider} | `{client.default_base_url}` |"
        for spec in SPECS.values()
        for provider, client in spec.clients.items()
    ]


def test_readme_base_urls_match_the_clients():
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- base-urls:begin -->\n(.*?)<!-- base-urls:end -->", text, re.S)
    assert found, "README.md has no <!-- base-urls:begin --> ... <!-- base-urls:end --> table"
    lines = [line.strip() for line in found.group(1).strip().splitlines() if line.strip().startswith("|")]
    expected = expected_base_rows()
    assert lines[0] == BASE_HEADER and lines[2:] == expected, "README.md's base URL table should read:\n" + "\n".join(
        [BASE_HEADER, "|---|---|---|", *expected]
    )
