/**
 * Reading the input tabs in the in-sheet refresh: a line-by-line port of addin/lite_tabs.py
 * (itself the standard-library twin of sheets_sync/inputs.py), by the rules README "How what you
 * type is read" states: text dates and numbers by Reading.gs, SKUs matched ignoring case and
 * spaces, every unreadable cell a Problems row, a SKU with one still planned and flagged, and a
 * missing tab or column a StockoutRefusal_ (Refresh.gs then writes nothing).
 * tests/addin/test_slips_everywhere.py refreshes one workbook of slips here, in Lite and with
 * `stockout refresh`, and compares Problems and Alerts cell for cell.
 */

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
      values[field.name] = stockoutSettingValue_(field.name, value, field.default);
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
  var warn = values.warn_days || Formulas.Settings({}).warn_days;
  if (warn.length !== 3) {
    var whyWarn = 'warn_days needs three numbers, e.g. 30,15,7; using the default';
    problems.add('Settings', rows.warndays || null, 'Value', raw.warn_days, whyWarn);
    delete values.warn_days;
  }
  var settings = Formulas.Settings(values);
  var fields = {};
  StockoutSchema.settings.forEach(function (field) {
    fields[field.name] = true;
  });
  Object.keys(StockoutSchema.settingDefaults).forEach(function (name) { // handling_time_days …
    var def = StockoutSchema.settingDefaults[name];
    if (fields[name] || typeof def !== 'number' || raw[name] === def) return;
    try {
      raw[name] = stockoutSettingValue_(name, raw[name], def);
    } catch (err) {
      if (!(err instanceof Formulas.InputError)) throw err;
      problems.add('Settings', rows[stockoutNormalize_(name)] || null, 'Value', raw[name], name + ': ' + err.message + '; using the default');
      raw[name] = def;
    }
  });
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

/** One Settings value read like its DEFAULT, or InputError (lite_tabs.setting_value). */
function stockoutSettingValue_(name, value, def) {
  var maxNumber = StockoutSchema.maxNumber;
  if (Array.isArray(def)) {
    var parts = String(value).split(/[,;\s]+/).filter(function (p) {
      return p.trim() !== '';
    });
    var numbers = parts.map(function (p) {
      return Formulas.to_number(p, name);
    });
    if (!numbers.length || numbers.indexOf(null) >= 0) {
      throw new Formulas.InputError('expected a list of numbers like ' + Reading.py_repr(String(value)));
    }
    if (numbers.some(function (n) {
      return n < 0 || n > maxNumber;
    })) {
      throw new Formulas.InputError('expected numbers ≥ 0 like (' + def.join(', ') + (def.length === 1 ? ',)' : ')'));
    }
    return name === 'velocity_windows' ? numbers.map(Math.trunc) : numbers;
  }
  if (typeof def === 'boolean') {
    var flag = Formulas.to_flag(value);
    if (flag === null) throw new Formulas.InputError('expected yes or no');
    return flag;
  }
  if (typeof def === 'string') return String(value).trim().toLowerCase();
  var number = Formulas.to_number(value, name);
  if (number === null || number < 0) throw new Formulas.InputError('expected a number ≥ 0');
  if (/_days$/.test(name) && number > StockoutSchema.maxDays) {
    throw new Formulas.InputError('expected at most ' + StockoutSchema.maxDays + ' days (ten years)');
  }
  if (number > maxNumber) throw new Formulas.InputError('expected a number up to 10^12');
  if (name === 'horizon_days' && number < 1) throw new Formulas.InputError('expected a whole number of days ≥ 1');
  if (name === 'service_level' && !(number > 0 && number < 1)) {
    throw new Formulas.InputError('expected a fraction between 0 and 1, e.g. 0.95');
  }
  return Number.isInteger(def) ? Math.trunc(number) : number;
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
    return true;
  });
  stockoutNotNegative_(tables.Inventory, problems);
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

/** Negative stock counts as none; other negative numbers are reported and left blank. */
function stockoutNotNegative_(inventory, problems) {
  inventory.forEach(function (row) {
    if (row.available !== null && row.available < 0) {
      problems.add('Inventory', row._row, 'Available', row.available, 'negative stock counts as 0', row.sku);
      row.available = 0;
    }
  });
  StockoutSchema.notNegative.forEach(function (pair) {
    var key = pair[0];
    var header = pair[1];
    inventory.forEach(function (row) {
      var value = row[key];
      if (value === null || value === undefined || !(key === 'case_pack' ? value <= 0 : value < 0)) return;
      var why = key === 'case_pack' ? 'must be above 0' : 'cannot be negative';
      problems.add('Inventory', row._row, header, value, header + ' ' + why + ': ignored', row.sku);
      row[key] = null;
    });
  });
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
