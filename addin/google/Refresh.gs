/**
 * Stockout > Refresh in this sheet: the whole plan inside Apps Script, no server.
 *
 * A port of the Python refresh (sheets_sync/plan.py, refresh.py) over the same math: every
 * number comes from Decisions.plan_sku, the port of addin/decisions.py, so the Alerts a seller
 * gets here are the ones `stockout refresh` writes for the same workbook (a test compares every
 * column). What Apps Script cannot have stays with the server: the local history store of
 * Amazon report imports and SP-API pulls, and the Timeline chart.
 *
 * Apps Script stops a run after 6 minutes. Reading and writing are one call per tab; planning is
 * what grows with the sheet, so the SKUs are planned in order and, when the time budget is
 * spent, the plans made so far go to a hidden tab and a one-off trigger continues a minute later
 * from where this run stopped. The last run writes the tabs. A document lock keeps a second
 * click (or the daily run) from refreshing at the same time.
 */

/** Planning time of one run, in ms: the rest of the 6 minutes is for reading and writing. */
var STOCKOUT_BUDGET_MS = 240000;
var STOCKOUT_STATE_KEY = 'STOCKOUT_REFRESH_STATE';
var STOCKOUT_PROGRESS_TAB = '_stockout_progress';
var STOCKOUT_CONTINUE = 'stockoutContinueRefresh';
var STOCKOUT_OUTPUT_TABS = ['Alerts', 'Drafts', 'Incidents', 'Problems'];

/** Menu item: refresh Alerts, Incidents, Drafts and Problems here; returns the toast text. */
function stockoutRefreshInSheet() {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  spreadsheet.toast('Refreshing in this sheet…', STOCKOUT_TITLE, 30);
  var run = stockoutRunRefresh_({});
  spreadsheet.toast(run.message, STOCKOUT_TITLE, 30);
  if (run.done) stockoutOfferPlanner_(spreadsheet);
  return run.message;
}

var STOCKOUT_PLANNER_OFFERED = 'STOCKOUT_PLANNER_OFFERED';

/**
 * After the first refresh from the menu, asks once whether to add the live Planner tab, as
 * `stockout new` gives an .xlsx workbook one (the daily trigger has nobody to ask).
 */
function stockoutOfferPlanner_(spreadsheet) {
  var props = PropertiesService.getDocumentProperties();
  if (props.getProperty(STOCKOUT_PLANNER_OFFERED) || stockoutFindSheet_(spreadsheet, StockoutSchema.planner.tab)) return;
  props.setProperty(STOCKOUT_PLANNER_OFFERED, 'yes');
  var ui = SpreadsheetApp.getUi();
  var answer = ui.alert(
    'Add a live Planner tab?',
    'A Planner tab computes Days of cover, Stockout date, Reorder by and Alert with formulas over Inventory, Sales and Inbound, so they change as you edit (no refresh needed). You can add it later from Stockout > Add Planner tab.',
    ui.ButtonSet.YES_NO,
  );
  if (answer === ui.Button.YES) stockoutAddPlanner();
}

/** The one-off trigger of a refresh too large for one run: plans the SKUs still left. */
function stockoutContinueRefresh() {
  var state = stockoutLoadState_();
  if (!state) return 'Nothing to continue.';
  return stockoutRunRefresh_({notify: state.notify, asOf: state.asOf, continuing: true}).message;
}

/**
 * One run under the document lock. OPTIONS: asOf (ISO day, else Settings or today), notify
 * (mail the digest when an alert got worse, Daily.gs), budgetMs, continuing.
 * Returns {message, done, result}.
 */
function stockoutRunRefresh_(options) {
  var lock = LockService.getDocumentLock();
  if (!lock.tryLock(1000)) {
    return {message: 'Not refreshed: a refresh of this sheet is already running. Try again when it has finished.', done: false};
  }
  try {
    return stockoutRefresh_(SpreadsheetApp.getActiveSpreadsheet(), options);
  } finally {
    lock.releaseLock();
  }
}

function stockoutToday_(zone) {
  return Utilities.formatDate(new Date(), zone, 'yyyy-MM-dd');
}

var STOCKOUT_DAY_NUMBERS = new Map();

/** Days from EARLIER to LATER (ISO days); each day is parsed once per run. */
function stockoutDaysBetween_(later, earlier) {
  return stockoutDayNumber_(later) - stockoutDayNumber_(earlier);
}

function stockoutDayNumber_(day) {
  var n = STOCKOUT_DAY_NUMBERS.get(day);
  if (n === undefined) {
    n = Math.round(Date.parse(day + 'T00:00:00Z') / 86400000);
    STOCKOUT_DAY_NUMBERS.set(day, n);
  }
  return n;
}

function stockoutRefresh_(spreadsheet, options) {
  var started = Date.now();
  var budget = options.budgetMs === undefined ? STOCKOUT_BUDGET_MS : options.budgetMs;
  var zone = spreadsheet.getSpreadsheetTimeZone();
  var grids = {};
  StockoutSchema.inputTabs.forEach(function (tab) {
    var sheet = stockoutFindSheet_(spreadsheet, tab);
    grids[tab] = sheet ? sheet.getDataRange().getValues() : null;
  });
  var inputs;
  try {
    var names = spreadsheet.getSheets().map(function (sheet) {
      return sheet.getName();
    });
    inputs = stockoutReadInputs_(grids, zone, names);
  } catch (err) {
    if (!(err instanceof StockoutRefusal_)) throw err;
    return {message: 'Not refreshed: ' + err.message, done: false, refused: true}; // every tab as it was
  }
  var asOf = options.asOf || inputs.raw.as_of || stockoutToday_(zone);
  var existing = {};
  STOCKOUT_OUTPUT_TABS.forEach(function (tab) {
    existing[tab] = stockoutReadOutput_(spreadsheet, tab);
  });
  var known = stockoutReadIncidents_(existing.Incidents, zone);
  var items = stockoutItems_(inputs, asOf, known);
  var fingerprint = [asOf, items.length, inputs.sales.length].concat(
    inputs.inventory.map(function (row) {
      return row.sku;
    }),
  ).join('|');
  var plans = options.continuing ? stockoutLoadProgress_(spreadsheet, fingerprint) : [];
  for (var i = plans.length; i < items.length; i++) {
    plans.push(Decisions.plan_sku(items[i], inputs.settings, asOf));
    if (Date.now() - started > budget && i < items.length - 1) {
      stockoutSaveProgress_(spreadsheet, fingerprint, plans, {asOf: asOf, notify: Boolean(options.notify)});
      var message = 'Planned ' + plans.length + ' of ' + items.length + ' SKUs; the refresh continues by itself in a minute (Apps Script allows 6 minutes a run).';
      return {message: message, done: false};
    }
  }
  stockoutClearProgress_(spreadsheet);
  var plan = stockoutPlan_(inputs, items, plans, asOf, known);
  var language = String(inputs.raw.sheet_language || 'en');
  var written = stockoutWriteOutputs_(spreadsheet, plan, existing, inputs.problems.rows, language, zone);
  var result = {
    skus: plan.skus.length,
    as_of: asOf,
    alerts: stockoutCounts_(plan.skus),
    problems: inputs.problems.rows.length,
    urgent: plan.skus
      .filter(function (s) {
        return s.action !== 'OK';
      })
      .slice(0, 10)
      .map(function (s) {
        return {sku: s.sku, alert: s.alert, action: s.action_text, stockout_date: s.stockout_date};
      }),
    written: written,
    notices: options.notify ? stockoutNotify_(plan) : [],
  };
  var text = stockoutSummaryText_(result);
  if (result.notices.length) text += ' ' + result.notices.join(' ');
  return {message: text, done: true, result: result, plan: plan};
}

function stockoutCounts_(skus) {
  var counts = {};
  Formulas.ALERT_LEVELS.forEach(function (level) {
    counts[level] = 0;
  });
  skus.forEach(function (s) {
    counts[s.alert] += 1;
  });
  return counts;
}

// --- inputs of the math (plan.compute_plan) ----------------------------------------------

function stockoutReadIncidents_(existing, zone) {
  if (!existing) return [];
  var rows;
  try {
    rows = stockoutReadTable_('Incidents', existing.values, new StockoutProblems_(), null, zone);
  } catch (err) {
    if (!(err instanceof StockoutRefusal_)) throw err;
    return []; // an Incidents tab the user broke reads as empty
  }
  return rows.filter(function (row) {
    return row.sku !== null;
  });
}

/** One Decisions.SkuInput per Inventory row, in Inventory order. */
function stockoutItems_(inputs, asOf, known) {
  var s = inputs.settings;
  var recentSpan = Math.max(Math.max.apply(null, s.velocity_windows), 90);
  var span = Math.max(recentSpan, 7 * DemandHistory.WEEKS); // the forecast reads last year's weeks
  var history = {};
  inputs.inventory.forEach(function (row) {
    history[row.sku] = {units: new Array(span).fill(0), flags: new Array(span).fill(null), start: span, hasFlags: false};
  });
  inputs.sales.forEach(function (row) {
    var h = history[row.sku];
    var d = stockoutDaysBetween_(row.date, asOf) + span;
    if (d < 0) {
      h.start = 0;
    } else if (d < span) {
      h.units[d] += row.units;
      h.start = Math.min(h.start, d);
      if (row.in_stock !== null) {
        h.flags[d] = row.in_stock;
        h.hasFlags = true;
      }
    }
  });
  // When does history start? (plan._history_starts, DemandHistory.listed_before)
  var covered = span;
  Object.keys(history).forEach(function (sku) {
    covered = Math.min(covered, history[sku].start);
  });
  Object.keys(history).forEach(function (sku) {
    var h = history[sku];
    if (h.start >= span) return;
    var total = 0;
    h.units.forEach(function (u) {
      total += u;
    });
    var rate = (total - h.units[h.start]) / Math.max(span - h.start - 1, 1);
    if (DemandHistory.listed_before(rate, h.start - covered)) {
      h.start = covered;
    }
  });
  var inbound = {};
  inputs.inbound.forEach(function (row) {
    var mode = typeof row.mode === 'string' ? row.mode.trim().toLowerCase() : '';
    (inbound[row.sku] = inbound[row.sku] || []).push({
      day: stockoutDaysBetween_(row.eta, asOf),
      qty: row.qty,
      status: typeof row.status === 'string' ? row.status : '',
      ready_day: row.ready_date ? stockoutDaysBetween_(row.ready_date, asOf) : null,
      mode: mode,
      shipment_id: typeof row.shipment_id === 'string' ? row.shipment_id : '',
    });
  });
  var elsewhere = {};
  (inputs.elsewhere || []).forEach(function (row) {
    (elsewhere[row.sku] = elsewhere[row.sku] || []).push({
      location: String(row.location),
      qty: row.qty,
      transfer_days: row.transfer_days,
      ships_fbm: row.ships_fbm === true,
      cost_per_unit: row.cost_per_unit,
    });
  });
  var promotions = {};
  inputs.promotions.forEach(function (row) {
    var promo = [stockoutDaysBetween_(row.start, asOf), stockoutDaysBetween_(row.end, asOf), row.uplift];
    (promotions[row.sku] = promotions[row.sku] || []).push(promo);
  });
  var restocked = {};
  known.forEach(function (rec) {
    if (rec.ended && rec.ended <= asOf) {
      var days = stockoutDaysBetween_(asOf, rec.ended);
      restocked[rec.sku] = rec.sku in restocked ? Math.min(days, restocked[rec.sku]) : days;
    }
  });
  var groups = ForecastSeason.category_profiles(inputs.raw);
  groups[1].forEach(function (bad) {
    inputs.problems.add('Settings', null, 'Value', bad[1], bad[2]);
  });
  return inputs.inventory.map(function (row) {
    var h = history[row.sku];
    var start = Math.max(h.start, span - recentSpan);
    var out = h.flags.map(function (flag) {
      return flag === false;
    });
    var season = null;
    try {
      season = ForecastSeason.parse_profile(row.season);
    } catch (err) {
      if (!(err instanceof ForecastSeason.ProfileError)) throw err;
      inputs.problems.add('Inventory', row._row, 'Season', row.season, err.message);
    }
    season = ForecastSeason.sku_profile(season, row.category, groups[0]);
    return Decisions.SkuInput({
      sku: row.sku,
      available: row.available || 0,
      units: h.units.slice(start),
      in_stock: h.hasFlags ? h.flags.slice(start) : null,
      season: season,
      weeks: DemandHistory.weekly(h.units.slice(h.start), out.slice(h.start)),
      inbound: inbound[row.sku] || [],
      // A SKU literally named '*' gets the every-SKU rows once (decisions.promotions_of).
      promotions: (row.sku === '*' ? [] : promotions[row.sku] || []).concat(promotions['*'] || []),
      fbm_stock: row.fbm_stock || 0,
      price: row.price,
      unit_cost: row.unit_cost,
      unit_weight: row.unit_weight,
      case_pack: row.case_pack,
      moq: row.moq,
      production_days: row.production_days,
      sea_days: row.sea_days,
      air_days: row.air_days,
      express_days: row.express_days,
      receiving_days: row.receiving_days,
      days_since_restock: row.sku in restocked ? restocked[row.sku] : null,
      elsewhere: elsewhere[row.sku] || [],
      fee_exempt: row.fee_exempt,
    });
  });
}

// --- the plan (plan._frame, the Alerts order, incidents, orders) -------------------------

function stockoutPlan_(inputs, items, plans, asOf, known) {
  var shipments = {};
  inputs.inbound.forEach(function (row) {
    var key = row.sku + '|' + Math.max(0, stockoutDaysBetween_(row.eta, asOf));
    var before = shipments[key] || [0, null, null];
    var mode = typeof row.mode === 'string' ? row.mode.trim().toLowerCase() : '';
    shipments[key] = [before[0] + row.qty, before[1] || row.shipment_id, before[2] || mode];
  });
  var day = function (offset) {
    return offset === null || offset === undefined ? null : Formulas.add_days(asOf, offset);
  };
  var skus = inputs.inventory.map(function (row, i) {
    var p = plans[i];
    var item = items[i];
    var ship = shipments[row.sku + '|' + p.next_inbound_day] || [null, null, null];
    return {
      sku: row.sku, title: row.title, asin: row.asin, supplier: row.supplier,
      supplier_email: row.supplier_email,
      available: item.available, fbm_stock: item.fbm_stock, price: item.price,
      inbound: p.inbound, daily_sales: p.daily_sales, forecast_rate: p.forecast_rate,
      stockout_risk: p.stockout_risk, forecast: p.forecast, trend: p.trend,
      days_of_cover: p.days_of_cover, cover_incl_inbound: p.cover_incl_inbound,
      stockout_date: day(p.stockout_day), days_to_stockout: p.stockout_day,
      alert: p.alert, flags: p.flags, next_inbound_eta: day(p.next_inbound_day),
      next_inbound_qty: ship[0], next_inbound_id: ship[1], next_inbound_mode: ship[2],
      back_in_stock: day(p.back_in_stock_day), gap_days: p.gap_days, lost_units: p.lost_units,
      lost_revenue: p.lost_revenue, safety_stock: p.safety_stock, reorder_point: p.reorder_point,
      reorder_by: day(p.reorder_by_day), reorder_qty: p.reorder_qty, lead_time_days: p.lead_time,
      air_arrival: day(p.air_arrival_day), air_units: p.air_units,
      option_cost: p.option_cost, margin_saved: p.margin_saved, options: p.options, combined: p.combined,
      batches: item.inbound.filter(function (b) {
        var stage = Supply.stage_of(b.status);
        return stage === 'planned' || stage === 'ready';
      }),
      unit_cost: item.unit_cost, unit_weight: item.unit_weight, action: p.action,
      action_text: p.action_text, alternatives: p.alternatives, basis: p.basis,
      daily_sd: p.daily_sd, last_out_day: p.last_out_of_stock_day,
      amazon_qty: null, amazon_date: null,
      _item: item,
    };
  }); // prettier-ignore
  skus.forEach(function (rec, i) {
    var row = inputs.inventory[i];
    rec.flags = (rec.flags || []).concat(inputs.checks[row.sku] || []);
    if (row.available === null) { // unreadable: a row that says which cell to fix (plan._mark_bad_inputs)
      StockoutSchema.stockColumns.forEach(function (key) {
        rec[key] = null;
      });
      rec.alert = 'NO DATA';
      rec.action = StockoutSchema.fixInput;
      rec.action_text = StockoutSchema.fixInput + ': Inventory row ' + row._row +
        ', Available cannot be read (see Problems); fix it and refresh';
    }
  });
  var severity = StockoutSchema.severity;
  var order = skus.map(function (s, i) {
    return i;
  });
  order.sort(function (a, b) {
    var x = skus[a];
    var y = skus[b];
    var rank = function (s) {
      return s.available === null ? -1 : severity.indexOf(s.alert);
    };
    var d = rank(x) - rank(y);
    if (d) return d;
    var xd = x.days_to_stockout;
    var yd = y.days_to_stockout;
    if (xd !== yd) {
      if (xd === null) return 1;
      if (yd === null) return -1;
      return xd - yd;
    }
    if (x.sku !== y.sku) return x.sku < y.sku ? -1 : 1;
    return a - b;
  });
  skus = order.map(function (i) {
    return skus[i];
  });
  var incidents = stockoutIncidents_(skus, known, asOf);
  // An OUT SKU's Stockout date is the day it ran out (decisions.out_since), not today.
  var since = {};
  incidents.forEach(function (rec) {
    if (rec.started && !rec.ended && (!since[rec.sku] || rec.started > since[rec.sku])) {
      since[rec.sku] = rec.started;
    }
  });
  skus.forEach(function (s) {
    if (s.alert === Formulas.OUT && since[s.sku]) {
      s.stockout_date = since[s.sku];
      s.days_to_stockout = stockoutDaysBetween_(since[s.sku], asOf);
    }
  });
  var orders = stockoutOrders_(inputs.orders, skus, inputs.settings, asOf);
  var noted = {};
  orders.forEach(function (line) {
    if (line.delayed && line.order_id) noted[line.sku] = true;
  });
  skus.forEach(function (s) {
    s.action_text = Decisions.delay_notes(s.action_text, Boolean(noted[s.sku]));
  });
  return {
    as_of: asOf,
    settings: inputs.settings,
    raw: inputs.raw,
    skus: skus,
    incidents: incidents,
    orders: orders,
  };
}

/** The post-mortem log: stockouts in the history and the one now (incidents.incident_log). */
function stockoutIncidents_(skus, known, asOf) {
  var log = {};
  known.forEach(function (rec) {
    if (rec.started) {
      log[rec.sku] = log[rec.sku] || {};
      log[rec.sku][rec.started] = Object.assign({}, rec);
    }
  });
  skus.forEach(function (row) {
    var item = row._item;
    if (row.available === null) return; // stock unknown: no incident on a guess
    if (!(row.last_out_day !== null || row.available <= 0 || row.sku in log)) return;
    var runs = row.last_out_day !== null ? Decisions.out_runs(item, asOf) : [];
    if (item.available <= 0 && !runs.some(function (r) {
      return r[1] === null;
    })) {
      runs.push([asOf, null]);
    }
    if (!runs.length && !(row.sku in log)) return;
    var rows = (log[row.sku] = log[row.sku] || {});
    var open = Object.keys(rows)
      .map(function (k) {
        return rows[k];
      })
      .filter(function (r) {
        return !r.ended;
      });
    runs.forEach(function (run) {
      var rec = (rows[run[0]] = rows[run[0]] || {sku: row.sku, started: run[0], ended: null});
      if (!rec.ended) rec.ended = run[1];
    });
    if (item.available > 0) {
      open.forEach(function (rec) {
        if (!rec.ended) rec.ended = asOf;
      });
    }
    Object.keys(rows).forEach(function (k) {
      var rec = rows[k];
      rec.days_out = stockoutDaysBetween_(rec.ended || asOf, rec.started);
      if (row.daily_sales !== null) {
        var losses = Decisions.incident_losses(row.daily_sales, rec.days_out, row.price);
        rec.lost_units = losses[0];
        rec.lost_revenue = losses[1];
      }
    });
  });
  var records = [];
  var columns = StockoutSchema.tabs.Incidents.map(function (c) {
    return c.key;
  });
  Object.keys(log).forEach(function (sku) {
    Object.keys(log[sku]).forEach(function (k) {
      var rec = {};
      columns.forEach(function (c) {
        rec[c] = log[sku][k][c] === undefined ? null : log[sku][k][c];
      });
      records.push(rec);
    });
  });
  records.sort(function (a, b) {
    if (a.started !== b.started) return a.started < b.started ? -1 : 1;
    return a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0;
  });
  return records;
}

/** Which open orders a stockout will delay, and when they can ship instead (plan._orders). */
function stockoutOrders_(orders, skus, settings, asOf) {
  var bySku = {};
  skus.forEach(function (s) {
    bySku[s.sku] = s;
  });
  var lines = orders.map(function (o) {
    return Object.assign({}, o, {qty: o.qty === null ? 1 : o.qty});
  });
  var cmp = function (a, b) {
    if (a === b) return 0;
    if (a === null) return 1;
    if (b === null) return -1;
    return a < b ? -1 : 1;
  };
  lines = lines
    .map(function (line, i) {
      return [line, i];
    })
    .sort(function (a, b) {
      return cmp(a[0].sku, b[0].sku) || cmp(a[0].promised_date, b[0].promised_date) ||
        cmp(a[0].purchase_date, b[0].purchase_date) || a[1] - b[1];
    })
    .map(function (pair) {
      return pair[0];
    });
  var i = 0;
  while (i < lines.length) {
    var sku = lines[i].sku;
    var group = [];
    while (i < lines.length && lines[i].sku === sku) group.push(lines[i++]);
    var row = bySku[sku];
    var item = row._item;
    if (row.available === null) { // unreadable stock: no delay notice on a guess
      group.forEach(function (line) {
        line.delayed = false;
        line.new_date = null;
      });
      continue;
    }
    var demand = row.forecast;
    if (demand === null || demand === undefined) demand = row.daily_sales !== null ? row.daily_sales : 0;
    var proj = Decisions.projection_of(item, demand, settings);
    var promised = group.map(function (line) {
      return [line.qty, stockoutDaysBetween_(line.promised_date, asOf)];
    });
    Decisions.delayed_orders(item, proj, promised, settings.fbm_enabled).forEach(function (result, n) {
      group[n].delayed = result !== false;
      group[n].new_date = result === false || result === null ? null : Formulas.add_days(asOf, result);
    });
  }
  return lines;
}

// --- writing -------------------------------------------------------------------------------

/** Alert levels, actions and flags in the sheet's language (refresh._words). */
function stockoutWords_(value, language) {
  if (language !== 'zh' || typeof value !== 'string') return value;
  var words = StockoutSchema.zhWords;
  Object.keys(words)
    .sort(function (a, b) {
      return b.length - a.length;
    })
    .forEach(function (word) {
      value = value.split(word).join(words[word]);
    });
  return value;
}

function stockoutKinds_(tab) {
  return StockoutSchema.tabs[tab].map(function (c) {
    return c.kind;
  });
}

/** Between the best action and its alternatives in a plan's action text. */
var STOCKOUT_ALSO_ = ' · also ';

function stockoutWriteOutputs_(spreadsheet, plan, existing, problems, language, zone) {
  var now = new Date();
  var currency = stockoutSetting_(plan.raw, 'currency', 'USD');
  var alerts = plan.skus.map(function (s) {
    var rec = Object.assign({}, s);
    rec.flags = s.flags && s.flags.length ? s.flags.join(', ') : null;
    rec.updated = now;
    // The best action in its own column, the alternatives apart (as sheets_sync.outputs does).
    var text = rec.action_text || '';
    var also = text.indexOf(STOCKOUT_ALSO_);
    rec.action_text = (also < 0 ? text : text.slice(0, also)) || null;
    rec.other_options = also < 0 ? null : text.slice(also + STOCKOUT_ALSO_.length) || null;
    ['available', 'inbound'].forEach(function (key) {
      if (rec[key] !== null) rec[key] = Formulas.round_to(rec[key], 0);
    });
    ['alert', 'flags', 'action_text', 'other_options'].forEach(function (key) {
      rec[key] = stockoutWords_(rec[key], language);
    });
    return rec;
  });
  var grid = stockoutOutputGrid_('Alerts', alerts, existing.Alerts, ['sku'], language, zone);
  var sheet = stockoutWriteTab_(spreadsheet, 'Alerts', grid, stockoutKinds_('Alerts'), zone, currency);
  stockoutColourAlerts_(sheet, grid, language);
  var incidents = stockoutOutputGrid_('Incidents', plan.incidents, existing.Incidents, ['sku', 'started'], language, zone);
  stockoutWriteTab_(spreadsheet, 'Incidents', incidents, stockoutKinds_('Incidents'), zone, currency);
  var written = ['Alerts', 'Incidents'];
  var drafts = stockoutDraftsGrid_(plan, existing.Drafts, language, zone);
  if (drafts) {
    stockoutWriteTab_(spreadsheet, 'Drafts', drafts, stockoutKinds_('Drafts'), zone, currency);
    written.push('Drafts');
  }
  var header = stockoutHeaders_('Problems', language);
  var rows = problems.map(function (p) {
    var value = p.value;
    if (value !== null && typeof value !== 'number' && !(value instanceof Date)) value = String(value);
    return [p.tab, p.row, p.column, value, p.problem];
  });
  stockoutWriteTab_(spreadsheet, 'Problems', {header: header, rows: rows, owned: header.length}, ['text', 'int', 'text', 'text', 'text'], zone, currency);
  written.push('Problems');
  return written;
}

/**
 * The Alert column coloured by conditional format rules (one per level, the colours of the
 * Python backends), so a colour follows the value when the seller edits or sorts it. The rules
 * are set once: a refresh leaves them alone while they cover the column in the sheet's
 * language, and the seller's own rules (on any column) always stay, after ours.
 */
function stockoutColourAlerts_(sheet, grid, language) {
  var column = StockoutSchema.tabs.Alerts.map(function (c) {
    return c.key;
  }).indexOf('alert') + 1;
  var levels = Object.keys(StockoutSchema.alertColours);
  var words = {}; // every level in every sheet language: the rules a refresh owns
  ['en', 'zh'].forEach(function (lang) {
    levels.forEach(function (level) {
      words[stockoutWords_(level, lang)] = true;
    });
  });
  var last = Math.max(sheet.getMaxRows(), grid.rows.length + 1);
  var rules = sheet.getConditionalFormatRules();
  var ours = [];
  var theirs = rules.filter(function (rule) {
    var condition = rule.getBooleanCondition();
    var ranges = rule.getRanges();
    var mine = condition !== null && ranges.length === 1 &&
      condition.getCriteriaType() === SpreadsheetApp.BooleanCriteria.TEXT_EQUAL_TO &&
      words[String(condition.getCriteriaValues()[0])] === true &&
      ranges[0].getColumn() === column && ranges[0].getNumColumns() === 1 && ranges[0].getRow() === 2;
    if (mine) ours.push({word: String(condition.getCriteriaValues()[0]), end: ranges[0].getLastRow()});
    return !mine;
  });
  var wanted = levels.map(function (level) {
    return stockoutWords_(level, language);
  });
  var current = ours.length === wanted.length && ours.every(function (rule) {
    return wanted.indexOf(rule.word) >= 0 && rule.end >= grid.rows.length + 1;
  }) && wanted.every(function (word) {
    return ours.some(function (rule) {
      return rule.word === word;
    });
  });
  if (current) return;
  if (!ours.length && grid.rows.length) {
    // Fills painted by a bundle before these rules would hide them: the column starts plain.
    sheet.getRange(2, column, grid.rows.length, 1).setBackground(null);
  }
  var range = sheet.getRange(2, column, last - 1, 1);
  var added = levels.map(function (level) {
    return SpreadsheetApp.newConditionalFormatRule()
      .whenTextEqualTo(stockoutWords_(level, language))
      .setBackground('#' + StockoutSchema.alertColours[level])
      .setRanges([range])
      .build();
  });
  sheet.setConditionalFormatRules(added.concat(theirs));
}

// --- a refresh that needs more than one run ----------------------------------------------

function stockoutLoadState_() {
  var text = PropertiesService.getDocumentProperties().getProperty(STOCKOUT_STATE_KEY);
  return text ? JSON.parse(text) : null;
}

function stockoutSaveProgress_(spreadsheet, fingerprint, plans, state) {
  var sheet = spreadsheet.getSheetByName(STOCKOUT_PROGRESS_TAB) || spreadsheet.insertSheet(STOCKOUT_PROGRESS_TAB);
  sheet.hideSheet();
  var rows = [[fingerprint]].concat(plans.map(function (p) {
    return [JSON.stringify(p)];
  }));
  sheet.getRange(1, 1, rows.length, 1).setValues(rows);
  state.fingerprint = fingerprint;
  PropertiesService.getDocumentProperties().setProperty(STOCKOUT_STATE_KEY, JSON.stringify(state));
  stockoutDeleteTriggers_(STOCKOUT_CONTINUE);
  ScriptApp.newTrigger(STOCKOUT_CONTINUE).timeBased().after(60 * 1000).create();
}

/** The plans a previous run saved, if they belong to the same inputs; else start afresh. */
function stockoutLoadProgress_(spreadsheet, fingerprint) {
  var sheet = spreadsheet.getSheetByName(STOCKOUT_PROGRESS_TAB);
  if (!sheet || sheet.getLastRow() < 1) return [];
  var values = sheet.getRange(1, 1, sheet.getLastRow(), 1).getValues();
  if (values[0][0] !== fingerprint) return [];
  return values.slice(1).map(function (row) {
    return JSON.parse(row[0]);
  });
}

function stockoutClearProgress_(spreadsheet) {
  var sheet = spreadsheet.getSheetByName(STOCKOUT_PROGRESS_TAB);
  if (sheet) spreadsheet.deleteSheet(sheet);
  PropertiesService.getDocumentProperties().deleteProperty(STOCKOUT_STATE_KEY);
  stockoutDeleteTriggers_(STOCKOUT_CONTINUE);
}

/** Deletes this script's triggers that run HANDLER; returns how many there were. */
function stockoutDeleteTriggers_(handler) {
  var mine = ScriptApp.getProjectTriggers().filter(function (trigger) {
    return trigger.getHandlerFunction() === handler;
  });
  mine.forEach(function (trigger) {
    ScriptApp.deleteTrigger(trigger);
  });
  return mine.length;
}
