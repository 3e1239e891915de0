"""The data-quality summary: every repair the readers make, counted, never silent.

A repair is a documented change to the input (a row dropped, a column renamed, a line decoded
another way). Anything that cannot be repaired safely is a :class:`~msmrnet.errors.DataError`
naming the file, the line and the column instead. The summary is stored with every run
(``data_quality.json``) and printed by ``msmrnet train`` and ``msmrnet inspect``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

#: Every repair kind and what was done; the one list the readers, the docs and the table use.
REPAIRS: dict[str, str] = {
    "bom_removed": "UTF-8 byte-order mark removed from the first column name",
    "header_names_stripped": "spaces around column names removed (' Label' -> 'Label')",
    "duplicate_columns_dropped": "repeated column name: the first copy kept, later copies dropped",
    "repeated_header_rows_skipped": "the header line repeated inside the data: line skipped",
    "blank_lines_skipped": "empty line skipped",
    "lines_decoded_as_cp1252": "line not valid UTF-8: decoded as Windows-1252 (latin-1)",
    "rows_dropped_nan": "row dropped: NaN or empty value in a numeric column",
    "rows_dropped_infinity": "row dropped: Infinity or -Infinity in a numeric column",
    "rows_dropped_out_of_range": "row dropped: number beyond the float64 range (e.g. 1e400)",
    "rows_dropped_negative_count": "row dropped: negative value in a column that counts (packets, bytes)",
    "values_mapped": "documented placeholder renamed (e.g. UNSW-NB15 service '-' -> 'none')",
    "empty_categories": "empty categorical value encoded as the category 'missing'",
}
ROW_DROPS = tuple(k for k in REPAIRS if k.startswith("rows_dropped_"))


@dataclass
class DataQuality:
    """Counts of what was read and repaired; ``columns`` breaks repairs down by column."""

    files: list[str] = field(default_factory=list)
    rows_read: int = 0  # data rows parsed (header, blank and repeated-header lines excluded)
    rows_kept: int = 0
    rows_dropped: int = 0  # rows with at least one value that a row_dropped_* repair removed
    repairs: dict[str, int] = field(default_factory=dict)
    columns: dict[str, dict[str, int]] = field(default_factory=dict)
    first_seen: dict[str, str] = field(default_factory=dict)  # repair kind -> 'file, line N'
    notes: list[str] = field(default_factory=list)

    def add(self, kind: str, count: int = 1, column: str | None = None, where: str | None = None) -> None:
        """Count ``count`` repairs of ``kind`` (one of :data:`REPAIRS`)."""
        if kind not in REPAIRS:
            raise KeyError(f"undocumented repair kind {kind!r}")
        if count <= 0:
            return
        self.repairs[kind] = self.repairs.get(kind, 0) + int(count)
        if column is not None:
            per = self.columns.setdefault(column, {})
            per[kind] = per.get(kind, 0) + int(count)
        if where is not None:
            self.first_seen.setdefault(kind, where)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    @property
    def clean(self) -> bool:
        return not self.repairs

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DataQuality":
        return cls(**data)

    def table(self) -> str:
        """A plain-text table for the terminal (and the logs)."""
        lines = [f"data quality: {self.rows_read:,} rows read, {self.rows_kept:,} kept, {self.rows_dropped:,} dropped"
                 f" ({len(self.files)} file{'s' if len(self.files) != 1 else ''})"]  # fmt: skip
        if not self.repairs:
            lines.append("  no repairs were needed")
        else:
            width = max(len(k) for k in self.repairs)
            for kind, count in self.repairs.items():
                cols = [f"{c} {d[kind]:,}" for c, d in self.columns.items() if kind in d]
                extra = f" [{', '.join(cols[:6])}{', ...' if len(cols) > 6 else ''}]" if cols else ""
                first = f" (first: {self.first_seen[kind]})" if kind in self.first_seen else ""
                lines.append(f"  {kind:<{width}} {count:>10,}  {REPAIRS[kind]}{extra}{first}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)
