"""The Timeline's line charts in an .xlsx file: one small chart per SKU, two to a row beside the
table, with the safety-stock and reorder-point levels as flat dashed lines."""

from __future__ import annotations

from typing import Any

from openpyxl.chart import LineChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sheets_sync.types import Tab


def chart_title(chart: Any) -> str | None:
    """A chart's title text as openpyxl holds it (None for an untitled chart)."""
    try:
        return "".join(run.t for p in chart.title.tx.rich.p for run in p.r or [])
    except AttributeError:
        return None


def draw_charts(sheet: Worksheet, tab: Tab, width: int) -> None:
    """One small line chart per column, two to a row beside the table, each with its levels
    (safety stock, reorder point) as flat dashed lines."""
    spec = tab.chart
    if spec is None:
        return
    rows = len(tab.rows) + 1
    helper = width + LEVEL_COLUMNS_AFTER
    for n, label in enumerate(tab.header[1:width]):
        chart = _line_chart(f"{spec.title}: {label}", spec.y_title)
        chart.add_data(Reference(sheet, min_col=n + 2, min_row=1, max_row=rows),
                       titles_from_data=True)  # fmt: skip
        levels = zip(LEVEL_LINES, spec.levels.get(label or "", (None, None)), strict=True)
        for k, ((name, colour), value) in enumerate(levels):
            if value is None:
                continue
            col = helper + 2 * n + k  # hidden cells the line is drawn from
            sheet.cell(1, col, name)
            for r in range(2, rows + 1):
                sheet.cell(r, col, value)
            sheet.column_dimensions[get_column_letter(col)].hidden = True
            chart.add_data(Reference(sheet, min_col=col, min_row=1, max_row=rows),
                           titles_from_data=True)  # fmt: skip
            line = chart.series[-1].graphicalProperties.line
            line.solidFill, line.dashStyle, line.width = colour, "dash", 15000
        for series in chart.series:
            series.smooth = False
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows))
        stock = chart.series[0].graphicalProperties.line
        stock.solidFill, stock.width = "1F4E79", 22000
        column, row = width + 2 + (n % 2) * CHART_COLUMNS, 2 + (n // 2) * CHART_ROWS
        anchor = f"{get_column_letter(column)}{row}"
        sheet.add_chart(chart, anchor)
    for j in range(width + 2, width + 2 + 2 * CHART_COLUMNS):
        # Sized, so two charts sit side by side with a small gap in Excel and LibreOffice
        # alike (their default column widths differ).
        sheet.column_dimensions[get_column_letter(j)].width = CHART_COLUMN_WIDTH


#: Sheet columns and rows a chart takes (at the default column width and row height).
CHART_COLUMNS, CHART_ROWS = 9, 14
#: Width (characters) of the columns under the charts: nine hold a 13 cm chart and a gap.
CHART_COLUMN_WIDTH = 7.5
#: Rows of charts printed on a page (two charts to a row), fitted to a landscape page's width.
CHART_ROWS_PER_PAGE = 4
#: The flat lines of a chart with levels: name (the legend) and colour.
LEVEL_LINES = (("Safety stock", "ED7D31"), ("Reorder point", "BF9000"))
#: Hidden columns holding the level lines start this far right of the table (past the charts).
LEVEL_COLUMNS_AFTER = 40


def _line_chart(title: str, y_title: str) -> LineChart:
    chart = LineChart()
    chart.title = title
    chart.y_axis.title = y_title
    chart.x_axis.number_format = "mmm d"
    chart.x_axis.majorTimeUnit = "days"
    chart.height, chart.width = 6.5, 13  # cm: two charts side by side beside the table
    chart.visible_cells_only = False  # the level lines come from hidden cells
    return chart
