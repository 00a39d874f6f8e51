"""The layers of CONTRIBUTING.md, held by the imports: a module importing across a line the guide
forbids fails here, naming the file and the import."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "social_pipeline"

# layer -> what of ours (top-level folders or root modules of social_pipeline) it must not import
FORBIDDEN = {
    "platforms": {"ingest", "assets", "storage", "simulator", "analytics", "definitions", "cli", "lineage", "resources"},
    "storage": {"platforms", "ingest", "assets", "simulator", "lineage", "definitions", "resources"},
    "analytics": {"platforms", "ingest", "assets", "storage", "simulator", "lineage", "definitions", "resources"},
    "ingest": {"assets", "definitions", "cli", "resources", "lineage", "checks", "sensors", "schedules"},
    # The dashboard reads the database only: no pull, simulator or Dagster code; of platforms/ only
    # the registry (ALLOWED), for each platform's title.
    "dashboard": {"platforms", "ingest", "simulator", "assets", "definitions", "cli", "resources", "lineage",
                  "checks", "sensors", "schedules"},
}
# Exact modules a layer may import although their folder is forbidden to it.
ALLOWED = {"dashboard": {"social_pipeline.platforms"}}
THIRD_PARTY_FORBIDDEN = {"platforms": {"dagster", "psycopg", "pandas"}, "ingest": {"dagster"}, "analytics": {"dagster"},
                         "dashboard": {"dagster"}}


def _imports(path: Path) -> list[str]:
    """Every module ``path`` imports, as absolute dotted names."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names.append(target)
            if not node.module:  # `from .. import x`: x is a module of that package
                names.extend(f"{target}.{alias.name}" for alias in node.names)
    return names


def _violations(layer: str) -> list[str]:
    found = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in _imports(path):
            parts = name.split(".")
            if name in ALLOWED.get(layer, ()):
                continue
            if parts[0] == "social_pipeline" and len(parts) > 1 and parts[1] in FORBIDDEN[layer]:
                found.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
            if parts[0] in THIRD_PARTY_FORBIDDEN.get(layer, ()):
                found.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_nothing_it_must_not(layer):
    assert _violations(layer) == []


def test_the_check_sees_a_forbidden_import(tmp_path):
    """The guard itself: a platform module importing storage is reported."""
    fake = tmp_path / "social_pipeline"
    (fake / "platforms").mkdir(parents=True)
    (fake / "platforms" / "leak.py").write_text("from ..storage.database import Database\nimport dagster\n")
    global PACKAGE
    saved, PACKAGE = PACKAGE, fake
    try:
        assert _violations("platforms") == [
            "social_pipeline/platforms/leak.py imports social_pipeline.storage.database",
            "social_pipeline/platforms/leak.py imports dagster",
        ]
    finally:
        PACKAGE = saved


def test_the_root_holds_only_wiring_and_the_command_line():
    root = {p.stem for p in PACKAGE.glob("*.py")}
    assert root <= {
        "__init__", "definitions", "partitions", "schedules", "sensors", "checks", "resources", "lineage",
        "cli", "progress", "retention", "slots",
    }, sorted(root)
