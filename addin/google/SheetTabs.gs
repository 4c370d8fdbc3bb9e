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

/** Problems found while reading: the rows of the Problems tab, in the order found, with the
 * SKU each is about (for the CHECK flags of Alerts). */
function StockoutProblems_() {
  this.rows = [];
}
StockoutProblems_.prototype.add = function (tab, row, column, value, problem, sku) {
  if (typeof value === 'number' && Number.isNaN(value)) value = null;
  this.rows.push({tab: tab, row: row, column: column, value: value, problem: problem, sku: sku === undefined ? null : sku});
};

/** The workbook cannot be planned as it is: the message says what to fix; nothing is written. */
function StockoutRefusal_(message) {
  this.message = message;
}

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

var STOCKOUT_READ_AS = {int: 'number', money: 'number', pct: 'number', days: 'number', datetime: 'date', list: 'text'};
/** Rows that a bad key cell drops (lite_tabs.ROW_KEYS): an Inventory row is a SKU, kept. */
var STOCKOUT_ROW_KEYS = {Inventory: ['sku'], Orders: ['order_id', 'sku']};
var STOCKOUT_KEPT = {
  Inventory: 'the SKU is planned without it',
  Orders: 'estimated from Purchase date + Settings handling_time_days, when there is one',
};

/** Why a cell could not be read, in the words of the cell functions (lite_tabs.bad_message). */
function stockoutBadMessage_(kind, header, shown, zone) {
  var readAs = STOCKOUT_READ_AS[kind] || kind;
  try {
    if (readAs === 'number') {
      var number = Formulas.to_number(shown, header);
      if (kind === 'days' && number !== null && number > StockoutSchema.maxDays) {
        return header + ': ' + Reading.format_g(number) + ' days is more than ten years (' + StockoutSchema.maxDays + ')';
      }
      if (number !== null && Math.abs(number) > StockoutSchema.maxNumber) {
        return header + ': ' + Reading.format_g(number) + ' is too big to be a real figure (over 10^12)';
      }
    } else if (readAs === 'date') {
      var day = Formulas.to_date(stockoutCellDay_(shown, zone), header, true);
      if (day !== null && Reading.out_of_range(day, header)) return Reading.out_of_range(day, header);
    } else if (readAs === 'bool') {
      Formulas.to_flag(shown);
    }
  } catch (err) {
    if (err instanceof Formulas.InputError) return err.message;
    throw err;
  }
  return header + ' could not be read';
}

/** A cell that is not text: {value} or {bad: true}. Dates come back as ISO text. */
function stockoutParseCell_(kind, raw, zone) {
  var readAs = STOCKOUT_READ_AS[kind] || kind;
  try {
    if (readAs === 'number') {
      if (typeof raw !== 'number') return {bad: true};
      var limit = kind === 'days' ? StockoutSchema.maxDays : StockoutSchema.maxNumber;
      return Math.abs(raw) <= limit ? {value: raw} : {bad: true};
    }
    if (readAs === 'date') {
      if (typeof raw === 'number' && !(raw >= 1 && raw < 2958466)) return {bad: true};
      var day = raw instanceof Date ? stockoutCellDay_(raw, zone) : Formulas.to_date(raw, 'date');
      return day === null || !Reading.out_of_range(day, '') ? {value: day} : {bad: true};
    }
    if (readAs === 'bool') {
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
 * Column key -> index of a tab's header; null for a missing or empty tab. Throws a
 * StockoutRefusal_ for a required column the header lacks, naming the nearest header.
 */
function stockoutLocate_(tab, grid) {
  var spec = StockoutSchema.tabs[tab];
  var required = spec.filter(function (c) {
    return c.required;
  }).map(function (c) {
    return c.header;
  });
  if (!grid || !grid.length || grid[0].every(stockoutBlankCell_)) {
    var filled = (grid || []).slice(1).some(function (row) {
      return !row.every(stockoutBlankCell_);
    });
    if (filled) throw new StockoutRefusal_(Reading.missing_columns(tab, required, []));
    return null;
  }
  var lookup = stockoutLookup_(tab);
  var positions = {};
  grid[0].forEach(function (name, i) {
    var col = lookup[stockoutNormalize_(name)];
    if (col && !(col.key in positions)) positions[col.key] = i;
  });
  var missing = spec.filter(function (c) {
    return c.required && !(c.key in positions);
  }).map(function (c) {
    return c.header;
  });
  if (missing.length) throw new StockoutRefusal_(Reading.missing_columns(tab, missing, grid[0]));
  return positions;
}

/** A column's text cells, which the workbook's reading rules learn from. */
function stockoutTextCells_(grid, pos) {
  return grid.slice(1).map(function (row) {
    return row[pos];
  }).filter(function (v) {
    return typeof v === 'string' && v.trim() !== '';
  });
}

/**
 * An input tab as row objects keyed by column key, with `_row` (sheet row) and `_ok` (its key
 * cells readable); bad cells reported in the order lite_tabs.read_table reports them. READER:
 * the workbook's Reading.Reader (null: en-US). Throws StockoutRefusal_ for a missing column.
 */
function stockoutReadTable_(tab, grid, problems, reader, zone) {
  var spec = StockoutSchema.tabs[tab];
  var positions = stockoutLocate_(tab, grid);
  if (positions === null) return [];
  reader = reader || new Reading.Reader(null);
  var rows = [];
  for (var r = 1; r < grid.length; r++) {
    if (grid[r].every(stockoutBlankCell_)) continue;
    rows.push({_row: r + 1, _ok: true, _raw: grid[r]});
  }
  var keys = STOCKOUT_ROW_KEYS[tab] || null;
  var skuAt = positions.sku;
  var report = function (row, header, value, why) {
    var cell = skuAt === undefined ? null : row._raw[skuAt];
    var sku = stockoutBlankCell_(cell) || cell === undefined ? null : stockoutText_(cell);
    problems.add(tab, row._row, header, value, why, sku);
  };
  spec.forEach(function (col) {
    var pos = positions[col.key];
    if (pos === undefined) {
      rows.forEach(function (row) {
        row[col.key] = null;
      });
      return;
    }
    var kind = col.kind;
    var readAs = STOCKOUT_READ_AS[kind] || kind;
    var header = grid[0][pos];
    var bad = [];
    var texts = [];
    // A column repeats its values (a year of sales has 365 dates): each is read once.
    var seen = new Map();
    rows.forEach(function (row) {
      var raw = row._raw[pos];
      row[col.key] = null;
      if (stockoutBlankCell_(raw) || raw === undefined) return;
      if (typeof raw === 'string' && (readAs === 'number' || readAs === 'date')) {
        texts.push(row);
        return;
      }
      var parsed;
      if (typeof raw === 'number' && readAs === 'number' && kind !== 'days' && Math.abs(raw) <= StockoutSchema.maxNumber) {
        parsed = {value: raw};
      } else {
        var memo = raw instanceof Date ? raw.getTime() : typeof raw + ':' + String(raw);
        parsed = seen.get(memo);
        if (parsed === undefined) {
          parsed = stockoutParseCell_(kind, raw, zone);
          seen.set(memo, parsed);
        }
      }
      if (parsed.bad) bad.push(row);
      else row[col.key] = parsed.value;
    });
    if (texts.length) {
      var column = texts.map(function (row) {
        return row._raw[pos];
      });
      var rowNumbers = texts.map(function (row) {
        return row._row;
      });
      var reading = readAs === 'date' ? reader.dateColumn(column, rowNumbers) : reader.numberColumn(column, rowNumbers);
      if (reading.note) problems.add(tab, reading.row, String(header), reading.example, reading.note);
      var limit = kind === 'days' ? StockoutSchema.maxDays : StockoutSchema.maxNumber;
      texts.forEach(function (row) {
        var text = row._raw[pos];
        var value;
        if (readAs === 'date') {
          value = Reading.read_date(text, Boolean(reading.key));
          if (value !== null && Reading.out_of_range(value, '')) value = null;
        } else {
          value = Reading.read_number(text, String(reading.key));
          if (value !== null && Math.abs(value) > limit) value = null;
        }
        if (value === null) bad.push(row);
        row[col.key] = value;
      });
      bad.sort(function (a, b) {
        return a._row - b._row;
      });
    }
    var drops = col.required && (keys === null || keys.indexOf(col.key) >= 0);
    bad.forEach(function (row) {
      var why = stockoutBadMessage_(kind, col.header, row._raw[pos], zone);
      report(row, header, row._raw[pos], why + (drops ? '; row skipped' : ''));
    });
    if (col.required) {
      var unreadable = new Set(bad.map(function (row) {
        return row._row;
      }));
      rows.forEach(function (row) {
        if (row[col.key] === null && !unreadable.has(row._row)) {
          report(row, header, null, col.header + ' is required: ' + (drops ? 'row skipped' : STOCKOUT_KEPT[tab]));
        }
      });
      if (drops) {
        rows.forEach(function (row) {
          if (row[col.key] === null) row._ok = false;
        });
      }
    }
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
  raw.fbm_enabled = settings.fbm_enabled;
  return {settings: settings, raw: raw, rows: rows};
}

/** `Settings!as_of` read by the workbook's date rule (inputs.settings_date): ISO or null. */
function stockoutSettingsDate_(value, row, reader, problems) {
  if (value === null || value === undefined || value === '') return null;
  var day = value;
  if (typeof value === 'string' && value.trim()) {
    var reading = reader.dateColumn([value], null);
    if (reading.note) problems.add('Settings', row, 'Value', value, 'as_of: ' + reading.note);
    day = Reading.read_date(value, Boolean(reading.key)) || value;
  }
  try {
    day = Formulas.to_date(day, 'as_of');
    if (day !== null && (day < '1900-01-01' || day > '2199-12-31')) {
      throw new Formulas.InputError('as_of must be between 1900-01-01 and 2199-12-31, got ' + day);
    }
    return day;
  } catch (err) {
    if (!(err instanceof Formulas.InputError)) throw err;
    problems.add('Settings', row, 'Value', value, err.message + '; using today');
    return null;
  }
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

var STOCKOUT_DATA_TABS = ['Inventory', 'Sales', 'Inbound', 'Promotions', 'Orders', 'Stock elsewhere'];

/** A StockoutRefusal_ for a missing Inventory or Sales tab, or an input tab that looks renamed. */
function stockoutCheckTabs_(grids, names) {
  var known = {};
  Object.keys(StockoutSchema.tabs).forEach(function (t) {
    known[stockoutNormalize_(t)] = true;
  });
  var others = (names || []).map(String).filter(function (n) {
    return !known[stockoutNormalize_(n)] && n.trim() !== '';
  });
  StockoutSchema.inputTabs.forEach(function (tab) {
    if (grids[tab] !== null && grids[tab] !== undefined) return;
    var refusal = Reading.missing_tab(tab, others, StockoutSchema.requiredTabs.indexOf(tab) >= 0);
    if (refusal) throw new StockoutRefusal_(refusal);
  });
}

/**
 * Every input tab read and checked against the others (lite_tabs.read_inputs, line by line):
 * text dates and numbers by the workbook's reading rules, SKUs matched ignoring case and spaces
 * (an unknown one gets the nearest suggested), a SKU with a bad cell kept and flagged
 * (`checks`). NAMES: every tab of the spreadsheet. Throws StockoutRefusal_ for a missing tab or
 * column, or an Inventory with no SKU; nothing else throws for bad data.
 */
function stockoutReadInputs_(grids, zone, names) {
  stockoutCheckTabs_(grids, names || Object.keys(grids));
  var problems = new StockoutProblems_();
  var read = stockoutReadSettings_(grids.Settings, problems, zone);
  var raw = read.raw;
  var locale;
  try {
    locale = Reading.parse_locale(raw.locale, StockoutSchema.locales);
  } catch (err) {
    if (!(err instanceof Formulas.InputError)) throw err;
    problems.add('Settings', read.rows.locale || null, 'Value', raw.locale, err.message);
    locale = Reading.parse_locale(null, StockoutSchema.locales);
  }
  var reader = new Reading.Reader(locale);
  STOCKOUT_DATA_TABS.forEach(function (tab) {
    var grid = grids[tab];
    var positions = stockoutLocate_(tab, grid) || {};
    StockoutSchema.tabs[tab].forEach(function (col) {
      var readAs = STOCKOUT_READ_AS[col.kind] || col.kind;
      if ((readAs === 'date' || readAs === 'number') && col.key in positions) {
        var pos = positions[col.key];
        var where = tab + ' ' + stockoutText_(grid[0][pos]);
        if (readAs === 'date') reader.learnDates(where, stockoutTextCells_(grid, pos));
        else reader.learnNumbers(where, stockoutTextCells_(grid, pos));
      }
    });
  });
  raw.as_of = stockoutSettingsDate_(raw.as_of, read.rows.asof || null, reader, problems);
  var tables = {};
  STOCKOUT_DATA_TABS.forEach(function (tab) {
    tables[tab] = stockoutReadTable_(tab, grids[tab], problems, reader, zone).filter(function (row) {
      return row._ok;
    });
  });
  if (!tables.Inventory.length) {
    throw new StockoutRefusal_(
      'Nothing to plan yet: fill the Inventory tab (SKU and Available, one row per SKU), ' +
        'then Sales (Date, SKU, Units), and refresh again. Nothing was changed.',
    );
  }
  var spelling = new Map();
  tables.Inventory = tables.Inventory.filter(function (row) {
    var key = Reading.sku_key(row.sku);
    if (spelling.has(key)) {
      var first = spelling.get(key);
      problems.add('Inventory', row._row, 'SKU', row.sku, 'duplicate SKU (same as ' + Reading.py_repr(first) +
        ', case and spaces aside): only its first row is used', first);
      return false;
    }
    spelling.set(key, row.sku);
    if (row.available !== null && row.available < 0) {
      problems.add('Inventory', row._row, 'Available', row.available, 'negative stock counts as 0', row.sku);
      row.available = 0;
    }
    return true;
  });
  var known = tables.Inventory.map(function (row) {
    return row.sku;
  });
  ['Sales', 'Inbound', 'Promotions', 'Orders', 'Stock elsewhere'].forEach(function (tab) {
    var unknown = new Map();
    tables[tab] = tables[tab].filter(function (row) {
      var found = spelling.get(Reading.sku_key(row.sku));
      if (found !== undefined || (tab === 'Promotions' && row.sku === '*')) {
        row.sku = found === undefined ? row.sku : found;
        return true;
      }
      if (!unknown.has(row.sku)) unknown.set(row.sku, []);
      unknown.get(row.sku).push(row._row);
      return false;
    });
    Array.from(unknown.keys()).sort().forEach(function (sku) {
      var at = unknown.get(sku);
      var near = Reading.nearest(sku, known);
      problems.add(tab, at[0], 'SKU', sku, Reading.unknown_sku(at.length, near), near);
    });
  });
  var negative = 0;
  tables.Sales.forEach(function (row) {
    if (row.units < 0) {
      if (negative++ < 50) problems.add('Sales', row._row, 'Units', row.units, 'negative units count as 0', row.sku);
      row.units = 0;
    }
  });
  tables.Inbound = stockoutDrop_(tables.Inbound, function (r) {
    return r.qty <= 0;
  }, 'Inbound', 'Qty', 'qty', 'inbound quantity must be positive: row skipped', problems);
  tables.Promotions = stockoutDrop_(tables.Promotions, function (r) {
    return r.uplift <= 0;
  }, 'Promotions', 'Uplift', 'uplift', 'uplift must be above 0 (1.8 means 80 % more sales): row skipped', problems);
  tables.Promotions = stockoutDrop_(tables.Promotions, function (r) {
    return r.end < r.start;
  }, 'Promotions', 'End', 'end', 'promotion ends before it starts: row skipped', problems);
  var elsewhere = stockoutDrop_(tables['Stock elsewhere'], function (r) {
    return r.qty <= 0;
  }, 'Stock elsewhere', 'Qty', 'qty', 'quantity must be positive: row skipped', problems);
  tables.Inbound = tables.Inbound.filter(function (row) {
    return Supply.stage_of(row.status) !== Supply.CLOSED;
  });
  return {
    settings: read.settings,
    raw: raw,
    inventory: tables.Inventory,
    sales: tables.Sales,
    inbound: tables.Inbound,
    promotions: tables.Promotions,
    orders: stockoutOpenOrders_(tables.Orders, raw, problems),
    elsewhere: elsewhere,
    problems: problems,
    checks: stockoutChecks_(problems, known),
  };
}

/** SKU -> the inputs to fix (`CHECK Inventory Available`), a flag on its Alerts row. */
function stockoutChecks_(problems, known) {
  var spelling = new Map();
  known.forEach(function (sku) {
    spelling.set(Reading.sku_key(sku), sku);
  });
  var out = {};
  problems.rows.forEach(function (p) {
    var sku = p.sku === null ? undefined : spelling.get(Reading.sku_key(p.sku));
    if (sku === undefined) return;
    var check = ('CHECK ' + p.tab + ' ' + p.column).trim();
    out[sku] = out[sku] || [];
    if (out[sku].indexOf(check) < 0) out[sku].push(check);
  });
  return out;
}

/** Orders still to ship (inputs._open_orders): finished ones left out, a missing promised
 * date estimated from the purchase date and Settings handling_time_days. */
function stockoutOpenOrders_(orders, raw, problems) {
  var finished = StockoutSchema.finishedOrders;
  var days = Number(raw.handling_time_days) || StockoutSchema.settingDefaults.handling_time_days;
  var open = [];
  orders.forEach(function (row) {
    if (typeof row.status === 'string' && finished.indexOf(row.status.trim().toLowerCase()) >= 0) return;
    var guess = row.promised_date === null && row.purchase_date !== null;
    if (guess) row.promised_date = Formulas.add_days(row.purchase_date, Math.trunc(days));
    row.promise_estimated = row.promise_estimated === true || guess;
    if (row.promised_date === null) {
      problems.add('Orders', row._row, 'Promised date', null,
        'no Promised date and no Purchase date to estimate it from: order left out', row.sku);
      return;
    }
    open.push(row);
  });
  return open;
}

function stockoutDrop_(rows, bad, tab, column, key, why, problems) {
  return rows.filter(function (row) {
    if (bad(row)) {
      problems.add(tab, row._row, column, row[key], why, row.sku);
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
