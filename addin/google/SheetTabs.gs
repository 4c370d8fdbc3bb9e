/**
 * The workbook contract in Apps Script: reading the input tabs into rows and writing the output
 * tabs back, for the in-sheet refresh (Refresh.gs). A port of sheets_sync/workbook.py's readers
 * and output_grid: the same header matching (case-insensitive, ignoring spaces, - and _, the
 * Chinese and Amazon aliases of Schema.gs), the same Problems rows in the same order, and the
 * user's own columns carried by key. The Python refresh is the reference; the parity test
 * (tests/addin/google/test_in_sheet_refresh.py) compares the two on one workbook.
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

/** Problems found while reading: the rows of the Problems tab, in the order found. */
function StockoutProblems_() {
  this.rows = [];
}
StockoutProblems_.prototype.add = function (tab, row, column, value, problem) {
  if (typeof value === 'number' && Number.isNaN(value)) value = null;
  this.rows.push({tab: tab, row: row, column: column, value: value, problem: problem});
};

/** A cell as the calendar day the sheet shows: Date objects are read in the sheet's zone. */
function stockoutCellDay_(value, zone) {
  if (value instanceof Date) return Utilities.formatDate(value, zone, 'yyyy-MM-dd');
  return value;
}

/** Python's str() of a cell read as text: 1001.0 is "1001". */
function stockoutText_(value) {
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value).trim();
}

/** A column of local dates is one format: any part over 12 decides it for all. */
function stockoutInferDayFirst_(texts) {
  for (var i = 0; i < texts.length; i++) {
    var found = /^\s*(\d{1,2})[/.](\d{1,2})[/.]\d{4}/.exec(String(texts[i]));
    if (found) {
      if (Number(found[1]) > 12) return true;
      if (Number(found[2]) > 12) return false;
    }
  }
  return null;
}

function stockoutBadMessage_(col, value, dayFirst) {
  try {
    if (col.kind === 'number') Formulas.to_number(value, col.header);
    else if (col.kind === 'days') {
      var days = Formulas.to_number(value, col.header);
      if (days !== null && days > StockoutSchema.maxDays) {
        return col.header + ': ' + days + ' days is more than ten years (' + StockoutSchema.maxDays + ')';
      }
    }
    if (col.kind === 'number' || col.kind === 'days') {
      var number = Formulas.to_number(value, col.header);
      if (number !== null && Math.abs(number) > StockoutSchema.maxNumber) {
        return col.header + ': ' + number + ' is too big to be a real figure (over 10^12)';
      }
    }
    else if (col.kind === 'date') Formulas.to_date(value, col.header, dayFirst);
    else if (col.kind === 'bool') Formulas.to_flag(value);
  } catch (err) {
    if (err instanceof Formulas.InputError) return err.message;
    throw err;
  }
  return col.header + ' could not be read';
}

var STOCKOUT_READ_AS = {int: 'number', money: 'number', pct: 'number', days: 'number', datetime: 'date'};

/** One cell of COL: {value} or {bad: true}. Dates come back as ISO text. */
function stockoutParseCell_(col, raw, dayFirst, zone) {
  var kind = STOCKOUT_READ_AS[col.kind] || col.kind;
  try {
    if (kind === 'number') {
      var number = typeof raw === 'number' ? raw : Formulas.to_number(raw, col.header);
      if (col.kind === 'days' && number !== null && number > StockoutSchema.maxDays) return {bad: true};
      if (number !== null && Math.abs(number) > StockoutSchema.maxNumber) return {bad: true};
      return {value: number};
    }
    if (kind === 'date') {
      if (raw instanceof Date) return {value: stockoutCellDay_(raw, zone)};
      if (typeof raw === 'number') {
        if (!(raw >= 1 && raw < 2958466)) return {bad: true};
        return {value: Formulas.to_date(raw, col.header)};
      }
      return {value: Formulas.to_date(raw, col.header, dayFirst)};
    }
    if (kind === 'bool') {
      if (typeof raw === 'boolean') return {value: raw};
      if (typeof raw === 'number') return {value: raw !== 0};
      return {value: Formulas.to_flag(raw)};
    }
  } catch (err) {
    if (err instanceof Formulas.InputError) return {bad: true};
    throw err;
  }
  return {value: stockoutText_(raw)};
}

/**
 * An input tab as row objects keyed by column key, with `_row` (sheet row) and `_ok` (every
 * required cell readable). Returns null and reports the tab when a required column is missing.
 */
function stockoutReadTable_(tab, grid, problems, dayFirst, zone) {
  var spec = StockoutSchema.tabs[tab];
  if (!grid || !grid.length || !grid[0].some(function (h) {
    return !stockoutBlankCell_(h);
  })) {
    if (grid && grid.length > 1) {
      problems.add(tab, 1, '', null, tab + ': the first row must hold the headers: the tab was skipped');
    }
    return [];
  }
  var lookup = stockoutLookup_(tab);
  var positions = {};
  grid[0].forEach(function (name, i) {
    var col = lookup[stockoutNormalize_(name)];
    if (col && !(col.key in positions)) positions[col.key] = i;
  });
  var missing = spec.filter(function (c) {
    return c.required && !(c.key in positions);
  });
  if (missing.length) {
    var seen = grid[0].filter(function (h) {
      return !stockoutBlankCell_(h);
    });
    problems.add(
      tab,
      1,
      '',
      null,
      tab + ': required column ' +
        missing.map(function (c) {
          return "'" + c.header + "'";
        }).join(', ') +
        ' not found (headers seen: ' + seen.map(String).join(', ') + '): the tab was skipped',
    );
    return [];
  }
  var rows = [];
  for (var r = 1; r < grid.length; r++) {
    if (grid[r].every(stockoutBlankCell_)) continue;
    rows.push({_row: r + 1, _ok: true, _raw: grid[r]});
  }
  spec.forEach(function (col) {
    var pos = positions[col.key];
    if (pos === undefined) {
      rows.forEach(function (row) {
        row[col.key] = null;
      });
      return;
    }
    var order = dayFirst;
    if ((STOCKOUT_READ_AS[col.kind] || col.kind) === 'date' && order === null) {
      order = stockoutInferDayFirst_(
        rows
          .map(function (row) {
            return row._raw[pos];
          })
          .filter(function (v) {
            return typeof v === 'string' && v.trim() !== '';
          }),
      );
    }
    var header = grid[0][pos];
    var kind = STOCKOUT_READ_AS[col.kind] || col.kind;
    var missingCells = [];
    // A column repeats its values (a year of sales has 365 dates): each is read once.
    var seen = new Map();
    rows.forEach(function (row) {
      var raw = row._raw[pos];
      if (stockoutBlankCell_(raw)) {
        row[col.key] = null;
      } else {
        var parsed;
        if (typeof raw === 'number' && kind === 'number') {
          parsed = {value: raw};
        } else {
          var memo = raw instanceof Date ? raw.getTime() : raw;
          parsed = seen.get(memo);
          if (parsed === undefined) {
            parsed = stockoutParseCell_(col, raw, order, zone);
            seen.set(memo, parsed);
          }
        }
        if (parsed.bad) {
          row[col.key] = null;
          problems.add(tab, row._row, header, raw, stockoutBadMessage_(col, raw, order));
          if (col.required) row._ok = false;
          return;
        }
        row[col.key] = parsed.value;
      }
      if (col.required && row[col.key] === null) {
        row._ok = false;
        missingCells.push(row);
      }
    });
    missingCells.forEach(function (row) {
      problems.add(tab, row._row, header, null, col.header + ' is required: row skipped');
    });
  });
  rows.forEach(function (row) {
    delete row._raw;
  });
  return rows;
}

/** Settings tab -> {settings: Formulas.Settings, raw: every key} (a bad value: the default). */
function stockoutReadSettings_(grid, problems, zone) {
  var raw = Object.assign({}, StockoutSchema.settingDefaults);
  var known = {};
  Object.keys(StockoutSchema.settingDefaults).forEach(function (k) {
    known[stockoutNormalize_(k)] = k;
  });
  var rows = {};
  (grid || []).slice(1).forEach(function (row, i) {
    if (!row.length || row[0] === null || row[0] === '') return;
    var key = stockoutNormalize_(row[0]);
    var value = row.length > 1 ? stockoutCellDay_(row[1], zone) : null;
    rows[key] = i + 2;
    if (value !== null && value !== '' && value !== undefined) {
      raw[known[key] || String(row[0]).trim()] = value;
    }
  });
  var values = {};
  StockoutSchema.settings.forEach(function (field) {
    var value = raw[field.name];
    if (value === null || value === undefined) return;
    try {
      values[field.name] = stockoutSettingValue_(field, value);
    } catch (err) {
      if (!(err instanceof Formulas.InputError)) throw err;
      var row = rows[stockoutNormalize_(field.name)] || null;
      problems.add('Settings', row, 'Value', value, field.name + ': ' + err.message + '; using the default');
    }
  });
  var windows = values.velocity_windows || Formulas.Settings({}).velocity_windows;
  var weights = values.velocity_weights || Formulas.Settings({}).velocity_weights;
  try {
    Formulas.check_windows(windows, weights);
  } catch (err) {
    if (!(err instanceof Formulas.InputError)) throw err;
    var at = rows.velocitywindows || rows.velocityweights || null;
    var why = 'velocity_windows and velocity_weights: ' + err.message + '; using the defaults';
    problems.add('Settings', at, 'Value', raw.velocity_windows, why);
    delete values.velocity_windows;
    delete values.velocity_weights;
  }
  var settings = Formulas.Settings(values);
  if (raw.as_of !== null && raw.as_of !== undefined) {
    try {
      raw.as_of = Formulas.to_date(raw.as_of, 'as_of', true);
    } catch (err) {
      if (!(err instanceof Formulas.InputError)) throw err;
      problems.add('Settings', rows.asof || null, 'Value', raw.as_of, err.message + '; using today');
      raw.as_of = null;
    }
  }
  raw.fbm_enabled = settings.fbm_enabled;
  return {settings: settings, raw: raw};
}

function stockoutSettingValue_(field, value) {
  var name = field.name;
  if (Array.isArray(field.default)) {
    var parts = String(value).split(/[,;\s]+/).filter(function (p) {
      return p.trim() !== '';
    });
    var numbers = parts.map(function (p) {
      return Formulas.to_number(p, name);
    });
    if (!numbers.length || numbers.indexOf(null) >= 0) {
      throw new Formulas.InputError("expected a list of numbers like '" + value + "'");
    }
    return name === 'velocity_windows' ? numbers.map(Math.trunc) : numbers;
  }
  if (field.type === 'bool') {
    var flag = Formulas.to_flag(value);
    if (flag === null) throw new Formulas.InputError('expected yes or no');
    return flag;
  }
  if (field.type === 'str') return String(value).trim().toLowerCase();
  var number = Formulas.to_number(value, name);
  if (number === null || number < 0) throw new Formulas.InputError('expected a number ≥ 0');
  if (/_days$/.test(name) && number > StockoutSchema.maxDays) {
    throw new Formulas.InputError('expected at most ' + StockoutSchema.maxDays + ' days (ten years)');
  }
  if (name === 'service_level' && !(number > 0 && number < 1)) {
    throw new Formulas.InputError('expected a fraction between 0 and 1, e.g. 0.95');
  }
  return field.type === 'int' ? Math.trunc(number) : number;
}

/**
 * Every input tab read and checked against the others (workbook.read_inputs): a duplicate SKU
 * keeps its first row, negative stock counts as none, rows of unknown SKUs are reported and
 * left out. Nothing here throws for bad data.
 */
function stockoutReadInputs_(grids, zone) {
  var problems = new StockoutProblems_();
  var read = stockoutReadSettings_(grids.Settings, problems, zone);
  var raw = read.raw;
  var dayFirst = raw.currency ? raw.currency !== 'USD' : null;
  var tables = {};
  ['Inventory', 'Sales', 'Inbound', 'Promotions', 'Orders', 'Stock elsewhere'].forEach(function (tab) {
    tables[tab] = stockoutReadTable_(tab, grids[tab], problems, dayFirst, zone);
  });
  var known = {};
  tables.Inventory.forEach(function (row) {
    known[row.sku] = true;
  });
  Object.keys(tables).forEach(function (tab) {
    tables[tab] = tables[tab].filter(function (row) {
      return row._ok;
    });
  });
  var seen = {};
  tables.Inventory = tables.Inventory.filter(function (row) {
    if (seen[row.sku]) {
      problems.add('Inventory', row._row, 'SKU', row.sku, 'duplicate SKU: only its first row is used');
      return false;
    }
    seen[row.sku] = true;
    return true;
  });
  tables.Inventory.forEach(function (row) {
    if (row.available < 0) {
      problems.add('Inventory', row._row, 'Available', row.available, 'negative stock counts as 0');
      row.available = 0;
    }
  });
  ['Sales', 'Inbound', 'Promotions', 'Orders', 'Stock elsewhere'].forEach(function (tab) {
    var unknown = {};
    tables[tab] = tables[tab].filter(function (row) {
      var ok = row.sku in seen || (tab === 'Promotions' && row.sku === '*');
      if (!ok) (unknown[row.sku] = unknown[row.sku] || []).push(row._row);
      return ok;
    });
    Object.keys(unknown)
      .sort()
      .forEach(function (sku) {
        var at = unknown[sku];
        var why = known[sku] ? 'its Inventory row was skipped' : 'SKU is not on the Inventory tab';
        problems.add(tab, at[0], 'SKU', sku, why + ': its ' + at.length + ' row(s) are ignored');
      });
  });
  var negative = 0;
  tables.Sales.forEach(function (row) {
    if (row.units < 0) {
      if (negative++ < 50) problems.add('Sales', row._row, 'Units', row.units, 'negative units count as 0');
      row.units = 0;
    }
  });
  tables.Inbound = stockoutDrop_(tables.Inbound, function (r) {
    return r.qty <= 0;
  }, 'Inbound', 'Qty', 'qty', 'inbound quantity must be positive: row skipped', problems);
  tables.Inbound = tables.Inbound.filter(function (row) {
    return Supply.stage_of(row.status) !== Supply.CLOSED;
  });
  var elsewhere = stockoutDrop_(tables['Stock elsewhere'], function (r) {
    return r.qty <= 0;
  }, 'Stock elsewhere', 'Qty', 'qty', 'quantity must be positive: row skipped', problems);
  tables.Promotions = stockoutDrop_(tables.Promotions, function (r) {
    return r.uplift <= 0;
  }, 'Promotions', 'Uplift', 'uplift', 'uplift must be above 0 (1.8 means 80 % more sales): row skipped', problems);
  tables.Promotions = stockoutDrop_(tables.Promotions, function (r) {
    return r.end < r.start;
  }, 'Promotions', 'End', 'end', 'promotion ends before it starts: row skipped', problems);
  return {
    settings: read.settings,
    raw: raw,
    inventory: tables.Inventory,
    sales: tables.Sales,
    inbound: tables.Inbound,
    promotions: tables.Promotions,
    orders: tables.Orders,
    elsewhere: elsewhere,
    problems: problems,
  };
}

function stockoutDrop_(rows, bad, tab, column, key, why, problems) {
  return rows.filter(function (row) {
    if (bad(row)) {
      problems.add(tab, row._row, column, row[key], why);
      return false;
    }
    return true;
  });
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
  if (values.length && keyPos.every(function (p) {
    return p >= 0;
  })) {
    var ownedAt = spec.map(at);
    for (var r = 1; r < values.length; r++) {
      var k = keyPos.map(function (p) {
        return stockoutKeyPart_(values[r][p], zone);
      });
      var user = userCols.map(function (c) {
        return cellAt(r, c[0]);
      });
      if (k.every(stockoutBlankCell_)) {
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

/** Number formats the output tabs give their owned columns, by column kind. */
var STOCKOUT_FORMATS = {
  int: '0',
  number: '0.0',
  money: '#,##0.00',
  date: 'yyyy-mm-dd',
  datetime: 'yyyy-mm-dd hh:mm',
};

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
 * and clears what the last refresh left below or to the right. The user's formatting stays.
 */
function stockoutWriteTab_(spreadsheet, name, grid, kinds, zone) {
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
  if (cells.length > 1) {
    kinds.forEach(function (kind, i) {
      if (STOCKOUT_FORMATS[kind]) {
        sheet.getRange(2, i + 1, cells.length - 1, 1).setNumberFormat(STOCKOUT_FORMATS[kind]);
      }
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
