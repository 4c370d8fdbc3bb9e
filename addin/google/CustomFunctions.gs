/**
 * The SPEC §4 custom functions for Google Sheets, over the Formulas.gs port of formulas.py.
 *
 * Same names, arguments and shapes as the Excel functions in addin/excel.py, so a workbook
 * moves between Excel and Google Sheets without rewriting formulas:
 * - Shapes. Google passes a cell as a value and a range as rows of values. Ranges broadcast
 *   against single cells like array arithmetic, and a range argument makes the result spill:
 *   one value per row of a column, per cell of a block. SALES_VELOCITY reads a row or column as
 *   one daily series and a block as one series per row.
 * - Blanks. A row where every range argument is empty gives an empty cell, so a formula over
 *   B2:B1000 leaves room for new SKUs instead of a column of errors.
 * - Dates. Date cells are read as the calendar day the sheet shows (in the spreadsheet's time
 *   zone) and dates come back as date values; serial numbers and ISO text work too. A custom
 *   function recalculates only when an argument changes, so the date ones take `as_of` from a
 *   cell (Settings!as_of, which Stockout > Update as-of date keeps current).
 * - Errors. A bad argument shows "#STOCKOUT: <what is wrong>" in its own cell; the other rows
 *   still compute.
 *
 * Helpers end in "_": Apps Script keeps such functions out of the sheet's function list.
 */

var STOCKOUT_ERROR = '#STOCKOUT: ';

/**
 * Days the stock lasts at the current daily sales: available / daily_sales.
 * Blank when daily_sales is 0 or less.
 *
 * @param {number|Array<Array<number>>} available FBA sellable units now (a cell or a column of SKUs)
 * @param {number|Array<Array<number>>} daily_sales Units sold per day, e.g. from SALES_VELOCITY
 * @return {number|Array<Array<number>>} Days of cover, one per row
 * @customfunction
 */
function DAYS_OF_COVER(available, daily_sales) {
  return stockoutCellwise_(Formulas.days_of_cover, {
    available: available,
    daily_sales: daily_sales,
  });
}

/**
 * Units per day: weighted average of the last 7/30/90 days, counting only in-stock days.
 * A row or column is one SKU's daily series (oldest first); a block gives one value per row.
 * With sku, units is the Sales tab's table (Date, SKU, Units[, In stock] columns), read up to
 * the day before as_of: one value per SKU.
 *
 * @param {Array<Array<number>>} units Daily units sold, oldest first; with sku, the Sales table
 * @param {Array<Array<boolean>>} in_stock Optional: TRUE/FALSE per day, same shape as units
 * @param {Array<Array<number>>|string} windows Optional: window lengths in days [7,30,90]
 * @param {Array<Array<number>>|string} weights Optional: weight of each window [0.5,0.3,0.2]
 * @param {string|Array<Array<string>>} sku Optional: SKU (a cell or a column) to read the table for
 * @param {Date} as_of Optional: with sku, day 0 [the day after the table's last date]
 * @return {number|Array<Array<number>>} Units per day
 * @customfunction
 */
function SALES_VELOCITY(units, in_stock, windows, weights, sku, as_of) {
  var zone = stockoutTimeZone_();
  var shared = [stockoutValues_(windows), stockoutValues_(weights)];
  if (!stockoutBlank_(sku)) {
    return stockoutPerSku_(units, sku, zone, function (table, one) {
      var stock = stockoutFirst_(in_stock, zone);
      var args = [table, stock].concat(shared, [one, stockoutFirst_(as_of, zone)]);
      return stockoutCell_(Formulas.sales_velocity, args);
    });
  }
  var series = stockoutSeries_(stockoutReadDates_(units, zone));
  var flags = stockoutIsOmitted_(in_stock)
    ? null
    : stockoutSeries_(stockoutReadDates_(in_stock, zone));
  if (flags !== null && flags.length !== series.length) {
    return STOCKOUT_ERROR + 'in_stock must have one row per row of units';
  }
  var out = series.map(function (days, i) {
    if (series.length > 1 && days.every(stockoutBlank_)) return [''];
    return [stockoutCell_(Formulas.sales_velocity, [days, flags && flags[i]].concat(shared))];
  });
  return stockoutSpill_(out);
}

/**
 * Forecast units per day over the next days: the season, trend, slow mover and spikes the
 * history shows, as the refresh sees them. A block gives one value per row; with sku, units is
 * the Sales tab's table (Date, SKU, Units[, In stock] columns): one value per SKU.
 *
 * @param {Array<Array<number>>} units Daily units sold, oldest first, ending the day before as_of
 * @param {Date} as_of Day 0 of the plan: a date cell (Settings!as_of)
 * @param {number} days Optional: days ahead to average the forecast over [30]
 * @param {Array<Array<boolean>>} in_stock Optional: TRUE/FALSE per day, same shape as units
 * @param {string} season Optional: q4, summer, winter or 12 monthly indexes Jan..Dec
 * @param {string|Array<Array<string>>} sku Optional: SKU (a cell or a column) to read the table for
 * @return {number|Array<Array<number>>} Forecast units per day
 * @customfunction
 */
function DEMAND_FORECAST(units, as_of, days, in_stock, season, sku) {
  var zone = stockoutTimeZone_();
  var shared = [stockoutFirst_(as_of, zone), stockoutFirst_(days, zone)];
  var profile = stockoutFirst_(season, zone);
  if (!stockoutBlank_(sku)) {
    return stockoutPerSku_(units, sku, zone, function (table, one) {
      var args = [table].concat(shared, [stockoutFirst_(in_stock, zone), profile, one]);
      return stockoutCell_(Formulas.demand_forecast, args);
    });
  }
  var series = stockoutSeries_(stockoutReadDates_(units, zone));
  var flags = stockoutIsOmitted_(in_stock)
    ? null
    : stockoutSeries_(stockoutReadDates_(in_stock, zone));
  if (flags !== null && flags.length !== series.length) {
    return STOCKOUT_ERROR + 'in_stock must have one row per row of units';
  }
  var out = series.map(function (history, i) {
    if (series.length > 1 && history.every(stockoutBlank_)) return [''];
    var args = [history].concat(shared, [flags && flags[i], profile]);
    return [stockoutCell_(Formulas.demand_forecast, args)];
  });
  return stockoutSpill_(out);
}

/**
 * Date the stock runs out at the current daily sales, counting the next inbound shipment.
 * Blank when sales are 0.
 *
 * @param {number|Array<Array<number>>} available FBA sellable units now
 * @param {number|Array<Array<number>>} daily_sales Units sold per day
 * @param {Date} as_of Day 0 of the plan: a date cell (Settings!as_of)
 * @param {number|Array<Array<number>>} inbound_qty Optional: units of the next inbound shipment
 * @param {Date|Array<Array<Date>>} inbound_eta Optional: date the inbound units become sellable
 * @param {Array<Array<number>>} history Optional: daily units sold, oldest first, ending the day before as_of: the days ahead follow its forecast (daily_sales blank: at the forecast's level)
 * @return {Date|Array<Array<Date>>} Stockout date
 * @customfunction
 */
function STOCKOUT_DATE(available, daily_sales, as_of, inbound_qty, inbound_eta, history) {
  return stockoutCellwise_(
    stockoutWithHistory_(Formulas.stockout_date, history),
    {
      available: available,
      daily_sales: daily_sales,
      as_of: as_of,
      inbound_qty: inbound_qty,
      inbound_eta: inbound_eta,
    },
    true,
  );
}

/**
 * Days out of stock before the shelf is refilled: by the next inbound or, with a lead time, by a
 * regular order placed today, whichever lands first (0 when the stock lasts until then).
 *
 * @param {number|Array<Array<number>>} available FBA sellable units now
 * @param {number|Array<Array<number>>} daily_sales Units sold per day
 * @param {Date} as_of Day 0 of the plan: a date cell (Settings!as_of)
 * @param {Date|Array<Array<Date>>} next_eta Optional: date the next inbound units become sellable
 * @param {number|Array<Array<number>>} lead_time_days Optional: days from ordering to sellable at FBA
 * @return {number|Array<Array<number>>} Gap days
 * @customfunction
 */
function STOCKOUT_GAP(available, daily_sales, as_of, next_eta, lead_time_days) {
  return stockoutCellwise_(Formulas.stockout_gap, {
    available: available,
    daily_sales: daily_sales,
    as_of: as_of,
    next_eta: next_eta,
    lead_time_days: lead_time_days,
  });
}

/**
 * Units to keep in reserve for demand and lead-time swings at the service level, and at
 * least safety_days of sales.
 *
 * @param {number|Array<Array<number>>} daily_sales Units sold per day
 * @param {number|Array<Array<number>>} daily_sd Standard deviation of daily units on in-stock days
 * @param {number|Array<Array<number>>} lead_time_days Days from ordering to sellable at FBA
 * @param {number} service_level Optional: chance of not running out during the lead time [0.95]
 * @param {number} lead_time_sd Optional: standard deviation of the lead time in days [0]
 * @param {number} safety_days Optional: minimum safety stock in days of sales [7]
 * @return {number|Array<Array<number>>} Safety stock in units
 * @customfunction
 */
function SAFETY_STOCK(
  daily_sales,
  daily_sd,
  lead_time_days,
  service_level,
  lead_time_sd,
  safety_days,
) {
  return stockoutCellwise_(Formulas.safety_stock, {
    daily_sales: daily_sales,
    daily_sd: daily_sd,
    lead_time_days: lead_time_days,
    service_level: service_level,
    lead_time_sd: lead_time_sd,
    safety_days: safety_days,
  });
}

/**
 * Last day to order so the new stock lands before the first dip below safety stock that an
 * order placed today can still prevent (today means order now).
 *
 * @param {number|Array<Array<number>>} available FBA sellable units now
 * @param {number|Array<Array<number>>} daily_sales Units sold per day
 * @param {number|Array<Array<number>>} lead_time_days Days from ordering to sellable at FBA
 * @param {Date} as_of Day 0 of the plan: a date cell (Settings!as_of)
 * @param {number|Array<Array<number>>} safety_stock Optional: units to keep in reserve [0]
 * @param {number|Array<Array<number>>} inbound_qty Optional: units of the next inbound shipment
 * @param {Date|Array<Array<Date>>} inbound_eta Optional: date the inbound units become sellable
 * @param {Array<Array<number>>} history Optional: daily units sold, oldest first, ending the day before as_of: the days ahead follow its forecast (daily_sales blank: at the forecast's level)
 * @return {Date|Array<Array<Date>>} Reorder-by date
 * @customfunction
 */
function REORDER_DATE(
  available,
  daily_sales,
  lead_time_days,
  as_of,
  safety_stock,
  inbound_qty,
  inbound_eta,
  history,
) {
  return stockoutCellwise_(
    stockoutWithHistory_(Formulas.reorder_date, history),
    {
      available: available,
      daily_sales: daily_sales,
      lead_time_days: lead_time_days,
      as_of: as_of,
      safety_stock: safety_stock,
      inbound_qty: inbound_qty,
      inbound_eta: inbound_eta,
    },
    true,
  );
}

/**
 * Units to order on the reorder-by date: cover days of sales plus safety stock on the day the
 * order lands, minus what is on the shelf then; whole cartons, at least the MOQ.
 *
 * @param {number|Array<Array<number>>} available FBA sellable units now
 * @param {number|Array<Array<number>>} inbound Units already on the way (all shipments)
 * @param {number|Array<Array<number>>} daily_sales Units sold per day
 * @param {number|Array<Array<number>>} lead_time_days Days from ordering to sellable at FBA
 * @param {number} cover_days Optional: days of sales the order should cover after it lands [60]
 * @param {number|Array<Array<number>>} safety_stock Optional: units to keep in reserve [0]
 * @param {number|Array<Array<number>>} case_pack Optional: units per carton [1]
 * @param {number|Array<Array<number>>} moq Optional: supplier minimum order quantity [0]
 * @param {Date|Array<Array<Date>>} inbound_eta Optional: when the inbound units land [today]
 * @param {Date} as_of Optional: day 0 of the plan, needed with inbound_eta (Settings!as_of)
 * @return {number|Array<Array<number>>} Units to order
 * @customfunction
 */
function REORDER_QTY(
  available,
  inbound,
  daily_sales,
  lead_time_days,
  cover_days,
  safety_stock,
  case_pack,
  moq,
  inbound_eta,
  as_of,
) {
  return stockoutCellwise_(Formulas.reorder_qty, {
    available: available,
    inbound: inbound,
    daily_sales: daily_sales,
    lead_time_days: lead_time_days,
    cover_days: cover_days,
    safety_stock: safety_stock,
    case_pack: case_pack,
    moq: moq,
    inbound_eta: inbound_eta,
    as_of: as_of,
  });
}

/**
 * OUT, CRITICAL, WARNING, WATCH or OK from the days to stockout and the warning lines
 * (30/15/7 days by default); at least WATCH when it runs out within the lead time or the
 * reorder-by date is at most 7 days away, or inbound is overdue, as in Alerts.
 *
 * @param {number|Array<Array<number>>} days_to_stockout Days until stock runs out (blank: it does not)
 * @param {number|Array<Array<number>>} available Optional: FBA sellable units now (0 means OUT)
 * @param {Array<Array<number>>|string} warn_days Optional: warning lines in days [30,15,7]
 * @param {number|Array<Array<number>>} lead_time_days Optional: days for a regular order to land
 * @param {number|Array<Array<number>>} days_to_reorder Optional: days until the reorder-by date (0: order today)
 * @param {number|Array<Array<number>>} overdue_inbound Optional: inbound units past their ETA
 * @return {string|Array<Array<string>>} Alert level
 * @customfunction
 */
function ALERT_LEVEL(days_to_stockout, available, warn_days, lead_time_days, days_to_reorder, overdue_inbound) {
  var lines = stockoutValues_(warn_days);
  var alertLevel = function (days_to_stockout, available, lead_time_days, days_to_reorder, overdue_inbound) {
    return Formulas.alert_level(days_to_stockout, available, lines, lead_time_days, days_to_reorder, overdue_inbound);
  };
  return stockoutCellwise_(alertLevel, {
    days_to_stockout: days_to_stockout,
    available: available,
    lead_time_days: lead_time_days,
    days_to_reorder: days_to_reorder,
    overdue_inbound: overdue_inbound,
  });
}

// --- shapes, blanks, dates, errors ----------------------------------------------------------------

/**
 * Calls COMPUTE once per cell of the broadcast shape of ARGS, an object of named arguments in
 * COMPUTE's order (the names go into shape errors). DATES_OUT: the result is a date, returned as
 * a date value rather than ISO text.
 */
/**
 * COMPUTE with one daily series for every cell (excel._with_history): a HISTORY range is the
 * days of one SKU, never spread cell by cell like the other arguments.
 */
function stockoutWithHistory_(compute, history) {
  if (stockoutIsOmitted_(history)) return compute;
  var series = stockoutSeries_(stockoutReadDates_(history, stockoutTimeZone_()))[0];
  return function () {
    var args = Array.prototype.slice.call(arguments);
    while (args.length < compute.length - 1) args.push(undefined);
    return compute.apply(null, args.concat([series]));
  };
}

function stockoutCellwise_(compute, args, datesOut) {
  var zone = stockoutTimeZone_();
  var names = Object.keys(args);
  var grids = names.map(function (name) {
    return stockoutGrid_(stockoutReadDates_(args[name], zone));
  });
  var rows = Math.max.apply(
    null,
    grids.map(function (g) {
      return g.length;
    }),
  );
  var cols = Math.max.apply(
    null,
    grids.map(function (g) {
      return g[0].length;
    }),
  );
  for (var i = 0; i < grids.length; i++) {
    var g = grids[i];
    if ((g.length !== 1 && g.length !== rows) || (g[0].length !== 1 && g[0].length !== cols)) {
      return (
        STOCKOUT_ERROR +
        names[i] +
        ' is ' +
        g.length +
        '×' +
        g[0].length +
        ' cells but the other ranges are ' +
        rows +
        '×' +
        cols
      );
    }
  }
  var ranges = grids.filter(function (g) {
    return g.length > 1 || g[0].length > 1;
  });
  var out = [];
  for (var r = 0; r < rows; r++) {
    var outRow = [];
    for (var c = 0; c < cols; c++) {
      var at = function (grid) {
        return grid[grid.length > 1 ? r : 0][grid[0].length > 1 ? c : 0];
      };
      var blankRow =
        ranges.length > 0 &&
        ranges.every(function (grid) {
          return stockoutBlank_(at(grid));
        });
      var value = blankRow ? '' : stockoutCell_(compute, grids.map(at));
      outRow.push(datesOut ? stockoutWriteDate_(value, zone) : value);
    }
    out.push(outRow);
  }
  return stockoutSpill_(out);
}

/** COMPUTE(...ARGS) as a cell value: the result ("" for none) or the error text. */
function stockoutCell_(compute, args) {
  try {
    var result = compute.apply(null, args);
    return result === null || result === undefined ? '' : result;
  } catch (err) {
    if (err instanceof Formulas.InputError) return STOCKOUT_ERROR + err.message;
    return (STOCKOUT_ERROR + 'unexpected ' + err.name + ': ' + err.message).slice(0, 255);
  }
}

/** What Google sent, as a rectangle of rows: a cell (or an omitted argument) is 1×1. */
function stockoutGrid_(value) {
  if (!Array.isArray(value)) return [[stockoutIsOmitted_(value) ? null : value]];
  if (!value.length) return [[null]];
  var rows = value.map(function (row) {
    return Array.isArray(row) ? row.slice() : [row];
  });
  var width = Math.max.apply(
    null,
    [1].concat(
      rows.map(function (row) {
        return row.length;
      }),
    ),
  );
  return rows.map(function (row) {
    while (row.length < width) row.push(null);
    return row;
  });
}

/** The first cell of VALUE (a cell or a range), dates read as ISO days; null when blank. */
function stockoutFirst_(value, zone) {
  var first = stockoutGrid_(stockoutReadDates_(value, zone))[0][0];
  return stockoutBlank_(first) ? null : first;
}

/**
 * COMPUTE(table, sku) once per cell of SKU over the long Sales table TABLE, in SKU's shape; a
 * blank SKU cell gives a blank.
 */
function stockoutPerSku_(table, sku, zone, compute) {
  var rows = stockoutGrid_(stockoutReadDates_(table, zone));
  var out = stockoutGrid_(sku).map(function (line) {
    return line.map(function (one) {
      return stockoutBlank_(one) ? '' : compute(rows, one);
    });
  });
  return stockoutSpill_(out);
}

function stockoutSpill_(rows) {
  return rows.length === 1 && rows[0].length === 1 ? rows[0][0] : rows;
}

function stockoutIsOmitted_(value) {
  return value === undefined || value === null;
}

function stockoutBlank_(value) {
  return stockoutIsOmitted_(value) || (typeof value === 'string' && value.trim() === '');
}

/** Daily series from a range: a row or column is one series, a block one series per row. */
function stockoutSeries_(value) {
  var grid = stockoutGrid_(value);
  if (grid.length === 1) return [grid[0]];
  if (grid[0].length === 1)
    return [
      grid.map(function (row) {
        return row[0];
      }),
    ];
  return grid;
}

/** A short list typed in a range or in one cell ("30,15,7" as Settings keeps it); null if none. */
function stockoutValues_(value) {
  if (stockoutIsOmitted_(value)) return null;
  var items = [];
  stockoutGrid_(value).forEach(function (row) {
    row.forEach(function (cell) {
      if (typeof cell === 'string') {
        cell.split(/[,;\s]+/).forEach(function (part) {
          if (part) items.push(part);
        });
      } else if (!stockoutIsOmitted_(cell)) {
        items.push(cell);
      }
    });
  });
  return items.length ? items : null;
}

/**
 * The spreadsheet's time zone: the day a date cell shows is its date in this zone, whatever the
 * script's own zone is.
 */
function stockoutTimeZone_() {
  try {
    return SpreadsheetApp.getActiveSpreadsheet().getSpreadsheetTimeZone();
  } catch (err) {
    return Session.getScriptTimeZone();
  }
}

/** Replaces every Date in VALUE (a cell or rows) with the ISO day the sheet shows for it. */
function stockoutReadDates_(value, zone) {
  if (value instanceof Date) return Utilities.formatDate(value, zone, 'yyyy-MM-dd');
  if (Array.isArray(value)) {
    return value.map(function (item) {
      return stockoutReadDates_(item, zone);
    });
  }
  return value;
}

/** An ISO day from Formulas as a date value at midnight in the sheet's zone; other values as is. */
function stockoutWriteDate_(value, zone) {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return Utilities.parseDate(value, zone, 'yyyy-MM-dd');
  }
  return value;
}
