"""One report, two renderings: Markdown (figures as files) and self-contained HTML (figures inline).

The report is built as a list of blocks (headings, paragraphs, lists, tables, figures), and each
rendering walks the same list, so the two files always say the same thing. Inline markup is the
small Markdown subset ``**bold**`` and ```code```.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from msmrnet.utils.io import atomic_write_text


@dataclass
class Report:
    title: str
    blocks: list[tuple[str, Any]] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> None:
        self.blocks.append(("heading", (level, text)))

    def paragraph(self, text: str) -> None:
        self.blocks.append(("paragraph", text))

    def note(self, text: str) -> None:
        """A highlighted paragraph (a warning box in HTML, a quote in Markdown)."""
        self.blocks.append(("note", text))

    def bullets(self, items: Sequence[str]) -> None:
        self.blocks.append(("bullets", list(items)))

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]], align_left: int = 1) -> None:
        """``align_left``: how many leading columns are text (left-aligned); the rest are numbers."""
        self.blocks.append(("table", ([str(h) for h in header], [[str(c) for c in r] for r in rows], align_left)))

    def code(self, text: str) -> None:
        self.blocks.append(("code", text))

    def figure(self, path: Path, caption: str) -> None:
        self.blocks.append(("figure", (Path(path), caption)))

    # -- rendering ---------------------------------------------------------------------------
    def to_markdown(self, base: Path) -> str:
        """Markdown; figure paths relative to ``base`` (the folder the file is written to)."""
        out = [f"# {self.title}", ""]
        for kind, value in self.blocks:
            if kind == "heading":
                out += ["#" * value[0] + " " + value[1], ""]
            elif kind == "paragraph":
                out += [value, ""]
            elif kind == "note":
                out += ["> " + value, ""]
            elif kind == "bullets":
                out += [f"- {item}" for item in value] + [""]
            elif kind == "table":
                header, rows, left = value
                out.append("| " + " | ".join(header) + " |")
                out.append("|" + "".join("---|" if i < left else "---:|" for i in range(len(header))))
                out += ["| " + " | ".join(r) + " |" for r in rows]
                out.append("")
            elif kind == "code":
                out += ["```", value.rstrip("\n"), "```", ""]
            elif kind == "figure":
                path, caption = value
                out += [f"![{caption}]({path.relative_to(base).as_posix()})", "", f"*{caption}*", ""]
        return "\n".join(out)

    def to_html(self) -> str:
        """One HTML file with every figure embedded as a base64 PNG (opens anywhere, offline)."""
        body = [f"<h1>{_inline(self.title)}</h1>"]
        for kind, value in self.blocks:
            if kind == "heading":
                body.append(f"<h{value[0]}>{_inline(value[1])}</h{value[0]}>")
            elif kind == "paragraph":
                body.append(f"<p>{_inline(value)}</p>")
            elif kind == "note":
                body.append(f'<p class="note">{_inline(value)}</p>')
            elif kind == "bullets":
                body.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in value) + "</ul>")
            elif kind == "table":
                header, rows, left = value
                cls = lambda i: "" if i < left else ' class="num"'  # noqa: E731
                head = "".join(f"<th{cls(i)}>{_inline(h)}</th>" for i, h in enumerate(header))
                body_rows = "".join("<tr>" + "".join(f"<td{cls(i)}>{_inline(c)}</td>" for i, c in enumerate(r)) + "</tr>" for r in rows)
                body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body_rows}</tbody></table>")
            elif kind == "code":
                body.append(f"<pre>{html.escape(value)}</pre>")
            elif kind == "figure":
                path, caption = value
                data = base64.b64encode(path.read_bytes()).decode("ascii")
                body.append(f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
                            f"<figcaption>{_inline(caption)}</figcaption></figure>")  # fmt: skip
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n"
        )  # fmt: skip

    def write(self, folder: Path) -> tuple[Path, Path]:
        """``report.md`` and ``report.html`` in ``folder`` (figures must already be there)."""
        md = atomic_write_text(folder / "report.md", self.to_markdown(folder))
        page = atomic_write_text(folder / "report.html", self.to_html())
        return md, page


def _inline(text: str) -> str:
    text = html.escape(text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", text)


_CSS = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; line-height: 1.45; color: #222; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
th { background: #f3f3f3; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1em 0; } img { max-width: 100%; } figcaption { font-size: 0.9em; color: #555; }
.note { background: #fff4d6; border-left: 4px solid #e0a800; padding: 0.6em 0.9em; }
pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; }
"""
