"""CSV export next to every chart and table, and how an unknown value is said."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from social_pipeline.dashboard.queries import title


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The rows as CSV (UTF-8, header, no index). NULL stays an empty cell, never 0."""
    out = frame.copy()
    for name in out.columns:
        if out[name].map(lambda v: isinstance(v, (list, tuple))).any():
            out[name] = out[name].map(lambda v: " ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    return out.to_csv(index=False).encode("utf-8")


def download(frame: pd.DataFrame, name: str, label: str | None = None) -> None:
    st.download_button(
        label or f"Download {name.replace('_', ' ')} (CSV)", data=csv_bytes(frame), file_name=f"{name}.csv",
        mime="text/csv", key=f"csv_{name}", icon=":material/download:")


def not_reported(platforms) -> str:
    names = sorted({title(p) for p in platforms if p})
    return "not reported by " + ", ".join(names) if names else "not reported"


def unknown_note(frame: pd.DataFrame, metrics: dict[str, str], platform_column: str = "platform") -> pd.Series:
    """Per row, which of ``metrics`` (column -> word) are NULL, said as "views, saves not
    reported by LinkedIn"; empty when every one is known."""
    def note(row) -> str:
        missing = [word for column, word in metrics.items() if column in row and pd.isna(row[column])]
        if not missing:
            return ""
        return f"{', '.join(missing)} {not_reported([row[platform_column]])}"
    if frame.empty:
        return pd.Series([], dtype=object)
    return frame.apply(note, axis=1)


def cell(value, platform: str | None, fmt: str = "{:,.0f}") -> str:
    """A single value for text: formatted, or "not reported by <Platform>" when unknown."""
    if value is None or (not isinstance(value, (list, tuple, str)) and pd.isna(value)):
        return not_reported([platform])
    return fmt.format(value)
