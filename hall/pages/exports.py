"""Tables as files: CSV (one table) and XLSX (one sheet per table), holding exactly the page's numbers.

Every sheet starts with the same three lines — the table's title, the centre and period, and the synthetic-data
notice when there is one — then the header row and the rows. Numbers are stored as numbers (one decimal, as on the
page); an empty figure ("—" on the page) is an empty cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Final

from litestar import Response

from hall.pages.report_view import Table

HEADER_ROWS: Final = 3
"""Lines above a table's header row in every sheet and CSV file (title, centre and period, notice)."""
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(name: str, content: bytes, media_type: str) -> Response[bytes]:
    """A file the browser saves (never cached: reports change as the day goes on)."""
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def _preamble(table: Table, context: Sequence[str]) -> list[list[str]]:
    lines = [[table.title], [" · ".join(context[:2])], [context[2] if len(context) > 2 else ""]]
    return lines[:HEADER_ROWS]


def table_csv(table: Table, context: Sequence[str]) -> bytes:
    """One table as CSV, UTF-8 with a byte-order mark so spreadsheet programs read the Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(_preamble(table, context))
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(["" if value is None else value for value in row])
    if table.note:
        writer.writerow([])
        writer.writerow([table.note])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def tables_xlsx(tables: Sequence[Table], context: Sequence[str]) -> bytes:
    """The tables as one workbook, a sheet per table named by the table's key."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(title=table.key[:31])
        for line in _preamble(table, context):
            sheet.append(line)
        sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
        sheet.append(table.headers)
        for cell in sheet[HEADER_ROWS + 1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(list(row))
        for column in sheet.iter_cols(min_row=HEADER_ROWS + 2):
            for cell in column:
                if isinstance(cell.value, float):
                    cell.number_format = "0.0"
        if table.note:
            sheet.append([])
            sheet.append([table.note])
        sheet.freeze_panes = sheet.cell(row=HEADER_ROWS + 2, column=2)
        sheet.column_dimensions["A"].width = 36
        for letter in "BCDEFGHIJKLMNOP":
            sheet.column_dimensions[letter].width = 14
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
