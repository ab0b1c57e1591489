"""The CSV/XLSX reader, the row errors and the limits that every import shares.

An import reads the whole file with `read_table`, checks every row against the file and the
database and reports every problem as a `RowError` (with the row number the user sees in the file:
the header is row 1) before anything is written. `FileError` carries the errors of a file that
cannot be used at all. The upload limit, the cap on listed errors and the clean-up of stored
uploads (the private "imports" storage that holds a file between preview and confirmation) are
the same for every import.
"""

from __future__ import annotations

import csv
import io
import math
import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

Source = str | os.PathLike | bytes | IO[bytes] | pd.DataFrame


@dataclass
class RowError:
    row: int | None  # as the user sees it in the file: the header is row 1
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is not None and self.column:
            return _("row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row is not None:
            return _("row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        if self.column:
            return _("column %(column)s: %(message)s") % {
                "column": self.column,
                "message": self.message,
            }
        return str(self.message)


@dataclass
class Change:
    """One row of the preview: what the import does (or would do) to one person or unit."""

    row: int | None
    action: str  # "create", "update" or "left"
    key: str  # employee number or unit code
    name: str
    fields: list[str]


@dataclass
class ImportResult:
    errors: list[RowError]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    marked_left: int = 0
    dry_run: bool = False
    changes: list[Change] = field(default_factory=list, repr=False)
    kind: str = "roster"  # or "org_units"

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return bool(self.created or self.updated or self.marked_left)

    def summary(self) -> str:
        if self.errors:
            return errors_summary(self.errors)
        if not self.has_changes:
            text = _("No changes (%(unchanged)d unchanged).") % {"unchanged": self.unchanged}
        elif self.kind == "roster":
            text = _(
                "%(created)d created, %(updated)d changed, %(unchanged)d unchanged, "
                "%(marked_left)d marked as left"
            ) % {
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "marked_left": self.marked_left,
            }
        else:
            text = _("%(created)d created, %(updated)d changed, %(unchanged)d unchanged") % {
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
            }
        if self.dry_run:
            text = _("Dry run, nothing saved: %(summary)s") % {"summary": text}
        return text


def errors_summary(errors: list[RowError]) -> str:
    """The summary of every refused import: how many errors, and that nothing was saved."""
    return ngettext(
        "%(count)d error: nothing was saved.",
        "%(count)d errors: nothing was saved.",
        len(errors),
    ) % {"count": len(errors)}


class FileError(Exception):
    """The file as a whole cannot be used; carries the errors to report."""

    def __init__(self, *errors: RowError):
        self.errors = list(errors)


def file_error(message: str) -> FileError:
    return FileError(RowError(row=None, column=None, message=message))


# The most errors an import lists one by one; the rest are counted. A file with thousands of bad
# rows holds one systematic mistake, and a page listing every row of it helps nobody.
MAX_ERRORS_SHOWN = 100


def errors_shown(errors: list[RowError]) -> tuple[list[RowError], int]:
    """The errors to list (the first MAX_ERRORS_SHOWN) and how many more there are."""
    return errors[:MAX_ERRORS_SHOWN], max(len(errors) - MAX_ERRORS_SHOWN, 0)


def validate_import_size(upload) -> None:
    """The upload limit (LMS_IMPORT_MAX_BYTES) of every import form's file field."""
    if upload.size > settings.LMS_IMPORT_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(size)s.")
            % {"size": filesizeformat(settings.LMS_IMPORT_MAX_BYTES)},
            code="file_too_large",
        )


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number in the file, values by column)


def _cell(value: Any) -> str:
    """A cell as text. DataFrames from code may hold None, NaN or numbers."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value).strip()


def _source_bytes(source: Source, filename: str | None) -> tuple[bytes, str | None]:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), filename
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            return path.read_bytes(), filename or path.name
        except OSError as exc:
            raise file_error(
                _("The file could not be opened: %(reason)s") % {"reason": exc.strerror or exc}
            ) from exc
    # A file object, e.g. Django's UploadedFile.
    if hasattr(source, "seek"):
        try:
            source.seek(0)
        except (OSError, ValueError):
            pass
    data = source.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    return data, filename or getattr(source, "name", None)


def _header_and_rows(frame: pd.DataFrame, first_row_number: int) -> Table:
    """Turn a header-less frame (first row = header) into normalised columns and numbered rows."""
    if frame.empty:
        raise file_error(_("The file is empty."))
    records = frame.to_numpy().tolist()
    header = [_cell(value).lower() for value in records[0]]
    seen: set[str] = set()
    duplicates = []
    for name in header:
        if name and name in seen:
            duplicates.append(name)
        seen.add(name)
    if duplicates:
        raise FileError(
            *(
                RowError(row=1, column=name, message=_("The column appears more than once."))
                for name in duplicates
            )
        )
    rows = []
    for offset, record in enumerate(records[1:], start=1):
        values = {name: _cell(value) for name, value in zip(header, record, strict=False) if name}
        if any(values.values()):  # blank lines are skipped, but keep their numbers
            rows.append((first_row_number + offset, values))
    return Table(columns=[name for name in header if name], rows=rows)


def _decode(data: bytes) -> str:
    # Excel's "Unicode text" is UTF-16 with a BOM; otherwise Excel and Danish HR systems write
    # UTF-8 (often with a BOM) or Windows-1252.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _unreadable() from None
    if b"\x00" in data:  # binary, not text
        raise _unreadable()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _unreadable()


def _unreadable() -> FileError:
    return file_error(
        _(
            "The file could not be read. Upload a CSV file (UTF-8 or Windows-1252) or an Excel "
            "workbook (.xlsx)."
        )
    )


def _separator(text: str) -> str:
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    if not text.strip():
        raise file_error(_("The file is empty."))
    sep = _separator(text)
    # pandas silently shifts columns when a row has more values than the header (it takes the
    # first column as the index), so count the values per record first to report such rows.
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=sep))
    except csv.Error as exc:
        raise file_error(
            _("The file could not be read as CSV: %(reason)s") % {"reason": exc}
        ) from exc
    width = len(records[0])
    if not any(value.strip() for value in records[0]):
        raise file_error(_("The first row must hold the column names."))
    ragged = [
        RowError(
            row=number,
            column=None,
            message=_("The row has %(values)d values but the header has %(columns)d columns.")
            % {"values": len(record), "columns": width},
        )
        for number, record in enumerate(records, start=1)
        if len(record) > width and any(value.strip() for value in record[width:])
    ]
    if ragged:
        raise FileError(*ragged)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                header=None,
                names=list(range(width)),
                index_col=False,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
            )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise file_error(
            _("The file could not be read as CSV: %(reason)s") % {"reason": exc}
        ) from exc
    return _header_and_rows(frame, first_row_number=1)


def _read_xlsx(data: bytes) -> Table:
    try:
        frame = pd.read_excel(
            io.BytesIO(data),
            sheet_name=0,
            header=None,
            dtype=str,
            keep_default_na=False,
            engine="openpyxl",
        )
    except Exception as exc:  # openpyxl raises many types for a corrupt workbook
        raise file_error(_("The file could not be read as an Excel workbook (.xlsx).")) from exc
    return _header_and_rows(frame, first_row_number=1)


def _read_frame(frame: pd.DataFrame) -> Table:
    header = pd.DataFrame([list(frame.columns)], columns=range(len(frame.columns)))
    body = pd.DataFrame(frame.to_numpy().tolist(), columns=range(len(frame.columns)))
    return _header_and_rows(pd.concat([header, body], ignore_index=True), first_row_number=1)


def read_table(source: Source, filename: str | None) -> Table:
    if isinstance(source, pd.DataFrame):
        if len(source.columns) == 0:
            raise file_error(_("The file is empty."))
        table = _read_frame(source)
    else:
        data, filename = _source_bytes(source, filename)
        if not data.strip():
            raise file_error(_("The file is empty."))
        extension = Path(filename or "").suffix.lower()
        if data.startswith(b"\xd0\xcf\x11\xe0") or extension == ".xls":
            raise file_error(
                _("Old Excel files (.xls) cannot be read. Save the file as .xlsx or CSV.")
            )
        if data.startswith(b"PK\x03\x04") or extension in (".xlsx", ".xlsm"):
            table = _read_xlsx(data)
        else:
            table = _read_csv(data)
    if not table.rows:
        raise file_error(_("The file has no data rows, only a header."))
    return table


def missing_columns(table: Table, required: Iterable[str]) -> list[RowError]:
    return [
        RowError(row=None, column=name, message=_("The column is missing from the file."))
        for name in required
        if name not in table.columns
    ]
