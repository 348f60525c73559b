"""The shell of every HTML page fleet writes (one style, nothing fetched) and its plain tables, for
the rooms that write reports: look, and the studies whose reports are tables only."""
from __future__ import annotations

import html

import pandas as pd

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
       max-width: 52rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.2rem; margin-top: 2rem;
     border-bottom: 1px solid #ccc; } .sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #e3e3e3; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
table { max-width: 100%; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.wide { overflow-x: auto; } .wide table { font-size: 0.8rem; } td.key { white-space: nowrap; }
.wide th, .wide td { overflow-wrap: normal; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.85rem; color: #555; }
.cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr)); gap: 0 2rem; }
.cols table { width: 100%; } .pairs th { white-space: nowrap; } .cols .pairs th { white-space: normal; }
@media print {
  body { max-width: none; margin: 0; font-size: 10pt; }
  h2 { break-after: avoid; } figure, table { break-inside: avoid; } .wide { overflow: visible; }
}
"""


def page(title: str, body: list[str]) -> str:
    """A self-contained HTML page: `body`'s fragments under `title`, in the report style."""
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def table(frame: pd.DataFrame, missing: str = "") -> str:
    """`frame` as an HTML table in a box that scrolls when the table is wider than the page: numbers
    to 4 significant digits, missing values as `missing`."""
    html_table = frame.to_html(index=False, na_rep=missing, float_format=lambda x: f"{x:.4g}", border=0)
    return f"<div class='wide'>{html_table}</div>"
