/**
 * Stockout > Add Planner tab: the live Planner of `stockout new` (sheets_sync/planner.py) in a
 * Google Sheet. One row per Inventory row, whose Days of cover, Stockout date, Reorder by and
 * Alert are the custom functions (CustomFunctions.gs) over the Inventory, Sales and Inbound
 * tabs, so a seller who edits Available, adds a day of Sales or an Inbound row sees them change
 * with no refresh.
 *
 * The columns, their formats and header notes are the Python Planner's (StockoutSchema.planner,
 * generated from planner.py). The formulas are Google's own: each custom-function column is one
 * formula over the whole column, which spills a value per row. Sheets makes one call to Apps
 * Script per custom-function cell, so a formula per row (as the .xlsx Planner has, where the
 * functions are local) would be hundreds of slow calls; one per column is six. The columns that
 * need no stockout function (next inbound, lead time, sales since, the window averages) are
 * built-in formulas, one per row, as in the .xlsx Planner. As of is Settings as_of (set to today
 * if blank): Sheets does not let a custom function depend on TODAY().
 * tests/addin/google/test_google_planner.py computes the tab over the demo in the Sheets
 * stand-in and compares every cell with the Python Planner's values (addin/formulas.py).
 */

/**
 * Unlike the .xlsx Planner's (planner.AS_OF_NOTE), Google's As of cannot fall back on TODAY():
 * Sheets refuses a custom function whose arguments lead to a volatile function.
 */
var STOCKOUT_PLANNER_AS_OF_NOTE =
  'The day counted as today: Settings as_of. Google Sheets does not let the stockout functions read TODAY(), so Stockout > Update as-of date to today (and the daily refresh, each morning) moves it.';

/** Menu item: adds the Planner tab (an existing one is left alone); returns the toast text. */
function stockoutAddPlanner() {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var message;
  try {
    message = stockoutBuildPlanner_(spreadsheet);
  } catch (err) {
    if (!(err instanceof StockoutRefusal_)) throw err;
    message = 'No Planner added: ' + err.message;
  }
  spreadsheet.toast(message, STOCKOUT_TITLE, 20);
  return message;
}

/** Writes the Planner tab; returns what was done. Throws StockoutRefusal_ when it cannot. */
function stockoutBuildPlanner_(spreadsheet) {
  var spec = StockoutSchema.planner;
  if (stockoutFindSheet_(spreadsheet, spec.tab)) {
    return 'there is a "' + spec.tab + '" tab already. Delete or rename it, then add it again to get one for every Inventory row.';
  }
  var at = {};
  ['Inventory', 'Sales', 'Inbound'].forEach(function (tab) {
    var sheet = stockoutFindSheet_(spreadsheet, tab);
    if (!sheet) throw new StockoutRefusal_('there is no ' + tab + ' tab: add the input tabs first.');
    var grid = sheet.getDataRange().getValues();
    at[tab] = {name: sheet.getName(), rows: grid.length, columns: stockoutLocate_(tab, grid.slice(0, 1))};
    if (!at[tab].columns) throw new StockoutRefusal_('the ' + tab + ' tab has no header row.');
  });
  var sales = at.Sales.columns;
  var salesKeys = 'in_stock' in sales ? ['date', 'sku', 'units', 'in_stock'] : ['date', 'sku', 'units'];
  if (!salesKeys.every(function (key, i) {
    return sales[key] === sales.date + i;
  })) {
    throw new StockoutRefusal_('the functions read the Sales tab as a table of Date, SKU, Units and In stock, side by side in that order: put its columns so.');
  }
  var dated = '';
  if (stockoutAsOfCell_(spreadsheet).getValue() === '') {
    dated = ' Settings as_of was blank: it is now ' + stockoutSetAsOfToday_(spreadsheet) + '.';
  }
  var f = stockoutPlannerFormulas_(spreadsheet, at);
  var sheet = spreadsheet.insertSheet(spec.tab);
  if (sheet.getMaxRows() < f.rows.length + 1) {
    sheet.insertRowsAfter(sheet.getMaxRows(), f.rows.length + 1 - sheet.getMaxRows());
  }
  sheet.getRange(1, 1, 1, f.header.length).setValues([f.header]).setFontWeight('bold')
    .setNotes([f.notes]);
  sheet.getRange(2, 1, f.rows.length, f.header.length).setValues(f.rows);
  f.formats.forEach(function (format, i) {
    if (format) sheet.getRange(2, i + 1, f.rows.length, 1).setNumberFormat(format);
  });
  sheet.setFrozenRows(1);
  sheet.setFrozenColumns(1);
  return 'added the ' + spec.tab + ' tab: ' + stockoutPlural_(f.rows.length, 'row') + ' of live formulas over Inventory, Sales and Inbound.' + dated;
}

/** A1 column letters of a 0-based index. */
function stockoutLetter_(index) {
  var letters = '';
  for (var n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

function stockoutQuoted_(name) {
  return /^[A-Za-z0-9_]+$/.test(name) ? name : "'" + name.replace(/'/g, "''") + "'";
}

/**
 * The Planner's header, notes, number formats and formula rows for the tabs located in AT
 * ({tab: {name, rows, columns: {key: 0-based index}}}).
 */
function stockoutPlannerFormulas_(spreadsheet, at) {
  var spec = StockoutSchema.planner;
  var settings = stockoutSettingCells_(spreadsheet);
  var lists = stockoutReadSettings_(stockoutFindSheet_(spreadsheet, 'Settings').getDataRange().getValues(), new StockoutProblems_(), spreadsheet.getSpreadsheetTimeZone());
  var windows = lists.settings.velocity_windows;
  var count = Math.max(spec.minRows, at.Inventory.rows - 1 + spec.minRows / 2);
  var last = count + 1; // Planner row r follows Inventory row r
  var salesEnd = Math.max(spec.minTableRows, 2 * at.Sales.rows);
  var inboundEnd = Math.max(spec.minTableRows / 10, 2 * at.Inbound.rows);
  var range = function (tab, key, end, first) {
    var letter = stockoutLetter_(at[tab].columns[key]);
    return stockoutQuoted_(at[tab].name) + '!$' + letter + '$' + (first || 2) + ':$' + letter + '$' + end;
  };
  var inv = function (key) {
    return range('Inventory', key, last);
  };
  var sd = range('Sales', 'date', salesEnd);
  var ss = range('Sales', 'sku', salesEnd);
  var su = range('Sales', 'units', salesEnd);
  var flagged = 'in_stock' in at.Sales.columns; // without In stock every day counts as in stock
  var si = flagged ? range('Sales', 'in_stock', salesEnd) : null;
  var lastColumn = flagged ? at.Sales.columns.in_stock : at.Sales.columns.units;
  var table = stockoutQuoted_(at.Sales.name) + '!$' + stockoutLetter_(at.Sales.columns.date) + '$2:$' + stockoutLetter_(lastColumn) + '$' + salesEnd;
  var ib = {sku: range('Inbound', 'sku', inboundEnd), qty: range('Inbound', 'qty', inboundEnd), eta: range('Inbound', 'eta', inboundEnd)};
  // Open rows only, as the refresh reads Inbound: a closed, received or cancelled row no longer comes.
  var openRows = 'status' in at.Inbound.columns ? spec.closedWords.map(function (word) {
    return ',' + range('Inbound', 'status', inboundEnd) + ',"<>' + word + '"';
  }).join('') : '';
  var headers = spec.columns.map(function (c) {
    return c.header;
  });
  var avgHeaders = windows.map(function (w) {
    return w + '-day avg';
  });
  var header = headers.concat(avgHeaders, [spec.asOf.header]);
  var col = function (name) {
    return stockoutLetter_(header.indexOf(name));
  };
  var day0 = '$' + col(spec.asOf.header) + '$2';
  var all = function (name) {
    return col(name) + '2:' + col(name) + last;
  };
  var A = all('SKU');
  var C = all('Available');
  var D = all('Daily sales');
  var blank = function (names) {
    return '(' + names.map(function (name) {
      return all(name) + '=""';
    }).join(')+(') + ')';
  };
  var guard = blank(['SKU', 'Available', 'Daily sales']);
  // Overdue inbound counts as on hand for the dates, as in Alerts.
  var stock = C + '+IF(' + all('Overdue inbound') + '="",0,' + all('Overdue inbound') + ')';
  var lead = ['production_days', 'sea_days', 'receiving_days'].map(function (key) {
    if (!(key in at.Inventory.columns)) return settings(key); // no such column: the Settings days
    return 'IF(' + inv(key) + '="",' + settings(key) + ',' + inv(key) + ')';
  }).join('+');
  var title = 'title' in at.Inventory.columns ? inv('title') + '&""' : '""';
  var top = {
    'SKU': '=ARRAYFORMULA(IF(' + inv('sku') + '="","",' + inv('sku') + '&""))',
    'Title': '=ARRAYFORMULA(IF(' + A + '="","",' + title + '))',
    'Available': '=ARRAYFORMULA(IF((' + A + '="")+(' + inv('available') + '=""),"",' + inv('available') + '))',
    'Daily sales': '=SALES_VELOCITY(' + table + ',,' + settings('velocity_windows') + ',' + settings('velocity_weights') + ',' + A + ',' + day0 + ')',
    'Days of cover': '=ARRAYFORMULA(IF(' + guard + ',"",DAYS_OF_COVER(' + C + ',' + D + ')))',
    'Stockout date': '=ARRAYFORMULA(IF(' + guard + ',"",STOCKOUT_DATE(' + stock + ',' + D + ',' + day0 + ',' + all('Next inbound') + ',' + all('Inbound ETA') + ')))',
    'Reorder by': '=ARRAYFORMULA(IF(' + guard + ',"",REORDER_DATE(' + stock + ',' + D + ',' + all('Lead time days') + ',' + day0 + ',' + all('Safety stock') + ',' + all('Next inbound') + ',' + all('Inbound ETA') + ')))',
    'Alert': '=ARRAYFORMULA(IF(' + A + '="","",IF(ISNUMBER(' + C + ')*(' + C + '<=0),"OUT",IF(' + D + '="","NO DATA",ALERT_LEVEL(IF(' + all('Stockout date') + '="","",' + all('Stockout date') + '-' + day0 + '),' + C + ',' + settings('warn_days') + ',' + all('Lead time days') + ',IF(' + all('Reorder by') + '="","",' + all('Reorder by') + '-' + day0 + '),' + all('Overdue inbound') + ')))))',
    'Lead time days': '=ARRAYFORMULA(IF(' + A + '="","",' + lead + '))',
    'Safety stock': '=ARRAYFORMULA(IF(' + blank(['SKU', 'Daily sales']) + ',"",SAFETY_STOCK(' + D + ',0,' + all('Lead time days') + ',,,' + settings('safety_days') + ')))',
  };
  var rows = [];
  for (var r = 2; r <= last; r++) {
    var a = '$' + col('SKU') + r;
    var eta = '$' + col('Inbound ETA') + r;
    var since = '$' + col('Sales since') + r;
    var inbound = ib.sku + ',' + a + ',' + ib.qty + ',">0"' + openRows;
    var next = inbound + ',' + ib.eta + ',">="&' + day0;
    var overdue = 'SUMIFS(' + ib.qty + ',' + inbound + ',' + ib.eta + ',"<"&' + day0 + ',' + ib.eta + ',">0")';
    var history = ss + ',' + a + ',' + sd + ',"<"&' + day0 + ',' + sd + ',">="&(' + day0 + '-730)';
    var each = {
      'Next inbound': '=IF(ISNUMBER(' + eta + '),SUMIFS(' + ib.qty + ',' + inbound + ',' + ib.eta + ',' + eta + '),"")',
      'Inbound ETA': '=IF(' + a + '="","",IF(COUNTIFS(' + next + ')=0,"",MINIFS(' + ib.eta + ',' + next + ')))',
      'Overdue inbound': '=IF(' + a + '="","",IF(' + overdue + '=0,"",' + overdue + '))',
      'Sales since': '=IF(' + a + '="","",IF(COUNTIFS(' + history + ')=0,"",MINIFS(' + sd + ',' + history + ')))',
    };
    windows.forEach(function (w, i) {
      var span = ss + ',' + a + ',' + sd + ',">="&(' + day0 + '-' + w + '),' + sd + ',"<"&' + day0;
      var days = '(MIN(' + w + ',' + day0 + '-' + since + ')' + (flagged ? '-COUNTIFS(' + span + ',' + si + ',FALSE)' : '') + ')';
      var units = '(SUMIFS(' + su + ',' + span + ')' + (flagged ? '-SUMIFS(' + su + ',' + span + ',' + si + ',FALSE)' : '') + ')';
      each[avgHeaders[i]] = '=IF(OR(' + a + '="",' + since + '=""),"",IF(' + days + '<=0,"",' + units + '/' + days + '))';
    });
    if (r === 2) {
      Object.keys(top).forEach(function (name) {
        each[name] = top[name];
      });
      each[spec.asOf.header] = '=IF(' + settings('as_of') + '="","",' + settings('as_of') + ')';
    }
    rows.push(header.map(function (name) {
      return each[name] || '';
    }));
  }
  var kinds = {};
  var notes = {};
  spec.columns.forEach(function (c) {
    kinds[c.header] = c.kind;
    notes[c.header] = c.note;
  });
  kinds[spec.asOf.header] = 'date';
  notes[spec.asOf.header] = STOCKOUT_PLANNER_AS_OF_NOTE;
  avgHeaders.forEach(function (name, i) {
    notes[name] = 'Units per in-stock day over the last ' + windows[i] + ' days before As of (a Sales row with In stock FALSE is a day out of stock).';
  });
  return {
    header: header,
    rows: rows,
    notes: header.map(function (name) {
      return notes[name];
    }),
    formats: header.map(function (name) {
      return stockoutNumberFormat_(kinds[name] || 'number');
    }),
  };
}

/**
 * KEY -> the A1 reference of its Settings Value cell, or its default as a literal when the
 * tab has no row for it (the functions then see the value the refresh would use).
 */
function stockoutSettingCells_(spreadsheet) {
  var sheet = stockoutFindSheet_(spreadsheet, 'Settings');
  var values = sheet.getDataRange().getValues();
  var header = values[0].map(stockoutKey_);
  var keyColumn = Math.max(header.indexOf('key'), 0);
  var valueColumn = header.indexOf('value') < 0 ? keyColumn + 1 : header.indexOf('value');
  var rows = {};
  values.forEach(function (row, i) {
    if (i > 0 && !(stockoutKey_(row[keyColumn]) in rows)) rows[stockoutKey_(row[keyColumn])] = i + 1;
  });
  var tab = stockoutQuoted_(sheet.getName()) + '!$' + stockoutLetter_(valueColumn) + '$';
  return function (key) {
    var row = rows[stockoutKey_(key)];
    if (row) return tab + row;
    var value = StockoutSchema.settingDefaults[key];
    return typeof value === 'number' ? String(value) : '"' + String(value).replace(/"/g, '""') + '"';
  };
}
