/**
 * The workbook contract in Apps Script, for the in-sheet refresh (Refresh.gs): header matching
 * for every tab (case-insensitive, ignoring spaces, - and _, the Chinese and Amazon aliases of
 * Schema.gs) and writing the output tabs back with the user's own columns carried by key (a port
 * of sheets_sync/workbook.py's output_grid). InputTabs.gs reads the input tabs. The Python
 * refresh is the reference; the parity test (tests/addin/google/test_in_sheet_refresh.py)
 * compares the two on one workbook.
 *
 * Apps Script reads a tab with one getValues() and writes it with one setValues(): per-cell calls
 * would not fit a sheet of thousands of rows into the 6 minutes a run may take.
 */

/** `Days of cover`, `days-of-cover` and ` DAYS_OF_COVER* ` are the same header. */
function stockoutNormalize_(text) {
  if (text === null || text === undefined) return '';
  return String(text)
    .replace(/[\s\-_*\ufeff.]+/g, '')
    .toLowerCase();
}

function stockoutBlankCell_(value) {
  return (
    value === null ||
    value === undefined ||
    (typeof value === 'number' && Number.isNaN(value)) ||
    (typeof value === 'string' && value.trim() === '')
  );
}

/** The owned headers of TAB in the sheet's language. */
function stockoutHeaders_(tab, language) {
  return StockoutSchema.tabs[tab].map(function (c) {
    return language === 'zh' ? c.zh || c.header : c.header;
  });
}

function stockoutLookup_(tab) {
  var names = {};
  StockoutSchema.tabs[tab].forEach(function (col) {
    [col.header, col.zh, col.key].concat(col.aliases).forEach(function (name) {
      var key = stockoutNormalize_(name);
      if (name && !(key in names)) names[key] = col;
    });
  });
  return names;
}

// --- output tabs ---------------------------------------------------------------------------

/** Keys compare the way users see them: a date and its serial number are one key. */
function stockoutKeyPart_(value, zone) {
  if (value instanceof Date) return stockoutCellDay_(value, zone);
  if (typeof value === 'number' && value > 20000 && value < 80000) {
    return Formulas.add_days('1899-12-30', Math.trunc(value));
  }
  if (typeof value === 'string') return value.trim();
  return value === undefined ? null : value;
}

/**
 * Owned columns from RECORDS, the user's columns carried over from EXISTING ({values,
 * formulas}) by KEY (workbook.output_grid). A user formula follows its row. Returns
 * {header, rows, owned}.
 */
function stockoutOutputGrid_(tab, records, existing, key, language, zone) {
  var spec = StockoutSchema.tabs[tab];
  var own = stockoutHeaders_(tab, language);
  var known = {};
  spec.forEach(function (c) {
    [c.header, c.zh, c.key].forEach(function (n) {
      if (n) known[stockoutNormalize_(n)] = true;
    });
  });
  var values = existing ? existing.values : [];
  var formulas = existing ? existing.formulas : [];
  var oldHeader = values.length ? values[0] : [];
  var positions = {};
  oldHeader.forEach(function (h, i) {
    if (!stockoutBlankCell_(h)) positions[stockoutNormalize_(h)] = i;
  });
  var userCols = [];
  oldHeader.forEach(function (h, i) {
    if (!stockoutBlankCell_(h) && !known[stockoutNormalize_(h)]) userCols.push([i, String(h)]);
  });
  var at = function (col) {
    var p = positions[stockoutNormalize_(col.header)];
    return p !== undefined ? p : positions[stockoutNormalize_(col.zh)];
  };
  var keyPos = key.map(function (k) {
    var p = at(spec.filter(function (c) {
      return c.key === k;
    })[0]);
    return p === undefined ? -1 : p;
  });
  var cellAt = function (r, i) {
    var f = formulas[r] && formulas[r][i];
    return f ? {formula: f} : values[r][i];
  };
  var carried = {};
  var keyless = [];
  var produced = {};
  records.forEach(function (rec) {
    produced[JSON.stringify(key.map(function (part) {
      return stockoutKeyPart_(rec[part], zone);
    }))] = true;
  });
  if (values.length && keyPos.every(function (p) {
    return p >= 0;
  })) {
    var ownedAt = spec.map(at);
    // A row labelled in the key column (TOTAL) whose other own cells are blank or formulas
    // is the user's, not a removed SKU's: it is kept below like a row with no key.
    var usersRow = function (r) {
      return ownedAt.every(function (i) {
        return i === undefined || keyPos.indexOf(i) >= 0 ||
          stockoutBlankCell_(values[r][i]) || Boolean(formulas[r] && formulas[r][i]);
      });
    };
    for (var r = 1; r < values.length; r++) {
      var k = keyPos.map(function (p) {
        return stockoutKeyPart_(values[r][p], zone);
      });
      var user = userCols.map(function (c) {
        return cellAt(r, c[0]);
      });
      if (k.every(stockoutBlankCell_) || (!produced[JSON.stringify(k)] && usersRow(r))) {
        if (!values[r].every(stockoutBlankCell_)) {
          var line = ownedAt.map(function (i) {
            return i === undefined ? null : cellAt(r, i);
          });
          keyless.push([r + 1, line.concat(user)]);
        }
      } else {
        carried[JSON.stringify(k)] = [r + 1, user];
      }
    }
  }
  var rows = records.map(function (rec, i) {
    var line = spec.map(function (c) {
      return rec[c.key] === undefined ? null : rec[c.key];
    });
    var k = JSON.stringify(key.map(function (part) {
      return stockoutKeyPart_(rec[part], zone);
    }));
    var old = carried[k] || [i + 2, userCols.map(function () {
      return null;
    })];
    return line.concat(old[1].map(function (v) {
      return stockoutMoved_(v, old[0], i + 2);
    }));
  });
  keyless.forEach(function (entry) {
    var n = rows.length + 2;
    rows.push(entry[1].map(function (v) {
      return stockoutMoved_(v, entry[0], n);
    }));
  });
  return {
    header: own.concat(userCols.map(function (c) {
      return c[1];
    })),
    rows: rows,
    owned: own.length,
  };
}

/** A user's formula follows its row: `=C2*2` moved from row 2 to row 5 reads `=C5*2`. */
function stockoutMoved_(value, oldRow, newRow) {
  if (!value || value.formula === undefined) return value;
  if (oldRow === newRow) return value;
  var shift = newRow - oldRow;
  var parts = value.formula.split('"');
  for (var i = 0; i < parts.length; i += 2) {
    parts[i] = parts[i].replace(/(\$?[A-Za-z]{1,3})(\$?)(\d+)(?![\d(])/g, function (all, col, fixed, row) {
      return fixed ? all : col + (Number(row) + shift);
    });
  }
  return {formula: parts.join('"')};
}

/**
 * The number format of a column kind, the pattern the Python backends give it (FormatKind,
 * StockoutSchema.formatPatterns): money in the Settings currency. Text columns get none: their
 * cells are written with a leading apostrophe, which a Plain text cell would keep as a character.
 */
function stockoutNumberFormat_(kind, currency) {
  if (kind === 'text') return null;
  if (kind === 'money') {
    var code = String(currency || '').trim().toUpperCase();
    return StockoutSchema.moneyPatterns[code] || StockoutSchema.formatPatterns.money;
  }
  return StockoutSchema.formatPatterns[kind] || null;
}

/**
 * A value as Apps Script must be given it. Owned text is written so Sheets keeps it as typed:
 * setValues parses strings like a user typing (`=…` becomes a formula, `0012` a number, `TRUE`
 * a boolean), and a leading apostrophe is how a sheet says "this is text".
 */
function stockoutCellOut_(value, kind, zone, days) {
  if (value === null || value === undefined) return '';
  if (value.formula !== undefined) return value.formula;
  if ((kind === 'date' || kind === 'datetime') && typeof value === 'string' && /^\d{4}-\d\d-\d\d$/.test(value)) {
    if (!days) return Utilities.parseDate(value, zone, 'yyyy-MM-dd');
    if (!days.has(value)) days.set(value, Utilities.parseDate(value, zone, 'yyyy-MM-dd'));
    return days.get(value);
  }
  if (typeof value === 'string' && /^(?:[=+\-@'\s\d.,:/(%$€£¥]|true$|false$)/i.test(value)) {
    return "'" + value;
  }
  return value;
}

/**
 * Writes TAB (sheet name NAME) in one setValues: owned cells, the user's columns and formulas,
 * and clears what the last refresh left below or to the right. The user's formatting stays:
 * number formats go only on rows the tab did not have.
 */
function stockoutWriteTab_(spreadsheet, name, grid, kinds, zone, currency) {
  var sheet = spreadsheet.getSheetByName(name) || spreadsheet.insertSheet(name);
  var width = grid.header.length;
  var days = new Map(); // one Date per day written, not one per cell
  var cells = [grid.header.map(function (h) {
    return stockoutCellOut_(h, 'text', zone);
  })].concat(grid.rows.map(function (row) {
    return grid.header.map(function (h, i) {
      var value = i < row.length ? row[i] : null;
      return stockoutCellOut_(value, i < grid.owned ? kinds[i] : 'user', zone, days);
    });
  }));
  var oldRows = sheet.getLastRow();
  var oldCols = sheet.getLastColumn();
  if (oldRows > 0 && oldCols > 0) sheet.getRange(1, 1, oldRows, oldCols).clearContent();
  sheet.getRange(1, 1, cells.length, width).setValues(cells);
  // Column formats go on the rows this write adds (all of a new tab), so the seller's own
  // formatting of rows that were there stays as they left it.
  var first = Math.max(oldRows, 1) + 1;
  if (cells.length >= first) {
    kinds.forEach(function (kind, i) {
      var format = stockoutNumberFormat_(kind, currency);
      if (format) sheet.getRange(first, i + 1, cells.length - first + 1, 1).setNumberFormat(format);
    });
  }
  return sheet;
}

/** The values and formulas of an output tab as the user left it (null when there is none). */
function stockoutReadOutput_(spreadsheet, name) {
  var sheet = spreadsheet.getSheetByName(name);
  if (!sheet || sheet.getLastRow() < 1) return null;
  var range = sheet.getDataRange();
  return {values: range.getValues(), formulas: range.getFormulas()};
}
