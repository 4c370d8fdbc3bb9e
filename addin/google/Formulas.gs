/**
 * The stockout math for Google Sheets: a line-by-line port of addin/formulas.py.
 *
 * formulas.py is the one source of truth; this file only mirrors it so Google Sheets custom
 * functions can run without a server. Every function keeps the Python name, argument order and
 * the same floating-point operations in the same order, so the shared vectors in tests/vectors
 * agree to the last digit (tests/addin/google/formulas.test.js runs all of them). When
 * formulas.py changes, change this file the same way.
 *
 * Python types map as: None -> null (undefined also reads as None), date -> "YYYY-MM-DD" text
 * (a JS Date is read by its UTC calendar day; CustomFunctions.gs converts sheet dates to text in
 * the spreadsheet's time zone first), dataclass -> plain object with the same field names,
 * tuple -> array, dict with int keys -> Map.
 *
 * Everything lives in one `Formulas` object so the internals do not show up as callable
 * functions in the sheet.
 */
var Formulas = (function () {
  'use strict';

  var EPS = 1e-9;
  var MAX_WINDOW_DAYS = 730;
  var DAY_MS = 86400000;

  var OUT = 'OUT';
  var CRITICAL = 'CRITICAL';
  var WARNING = 'WARNING';
  var WATCH = 'WATCH';
  var OK = 'OK';
  var NO_DATA = 'NO DATA';
  var ALERT_LEVELS = [OUT, CRITICAL, WARNING, WATCH, OK, NO_DATA];
  // An order due within this many days is REORDER SOON, and its row at least WATCH.
  var REORDER_SOON_DAYS = 7;

  var SWITCH_TO_FBM = 'SWITCH TO FBM';
  var EXPEDITE_BY_AIR = 'EXPEDITE BY AIR';
  var EXPEDITE_BY_EXPRESS = 'EXPEDITE BY EXPRESS';
  var SLOW_SALES = 'SLOW SALES';
  var PAUSE_AND_NOTIFY = 'PAUSE AND NOTIFY';
  var TRANSFER = 'TRANSFER';
  var REORDER_NOW = 'REORDER NOW';
  var REORDER_SOON = 'REORDER SOON';
  var CHASE_INBOUND = 'CHASE INBOUND';
  var RELAUNCH = 'RELAUNCH';

  var LEAD_TIME_RISK = 'LEAD TIME RISK';
  var FEE_RISK = 'FEE RISK';
  var OVERSTOCK = 'OVERSTOCK';
  var INBOUND_OVERDUE = 'INBOUND OVERDUE';
  var TREND_UP = 'TREND UP';
  var NO_SALES = 'NO SALES';
  /** A flag and an action: fewer days of sales history than an order can be sized on. */
  var SHORT_HISTORY = 'SHORT HISTORY';


  /** A bad argument. The message is what a cell shows after "#STOCKOUT: ". */
  class InputError extends Error {
    constructor(message) {
      super(message);
      this.name = 'InputError';
    }
  }

  // --- Python semantics the port needs -------------------------------------------------------

  function isNone(value) {
    return value === null || value === undefined;
  }

  /** Python's str() for the values a cell or a vector can hold. */
  function pyStr(value) {
    if (isNone(value)) return 'None';
    if (value === true) return 'True';
    if (value === false) return 'False';
    if (value instanceof Date) return dateOf(value);
    if (Array.isArray(value)) return '[' + value.map(pyRepr).join(', ') + ']';
    return String(value);
  }

  function pyRepr(value) {
    return typeof value === 'string' ? "'" + value + "'" : pyStr(value);
  }

  /**
   * Python's repr() of a float, for messages about numbers Python holds as floats (anything that
   * went through to_number): 1 -> "1.0", 1e16 -> "1e+16", 1e-5 -> "1e-05". JS numbers carry no
   * int/float distinction, so the port decides by where the number came from, as Python does.
   */
  function pyFloat(x) {
    if (Number.isNaN(x)) return 'nan';
    if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
    var parts = x.toExponential().split('e'); // shortest round-trip digits, like repr
    var exponent = Number(parts[1]);
    if (exponent < -4 || exponent >= 16) {
      var mantissa = parts[0];
      var sign = exponent < 0 ? '-' : '+';
      return mantissa + 'e' + sign + String(Math.abs(exponent)).padStart(2, '0');
    }
    var text = String(x);
    return /[.e]/.test(text) ? text : text + '.0';
  }

  /** Python's f"{n:,}" for an integer and the integer part of f"{x:,.2f}". */
  function withCommas(text) {
    var sign = text.charAt(0) === '-' ? '-' : '';
    var digits = sign ? text.slice(1) : text;
    var dot = digits.indexOf('.');
    var whole = dot < 0 ? digits : digits.slice(0, dot);
    var rest = dot < 0 ? '' : digits.slice(dot);
    return sign + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + rest;
  }

  function sortedNumbers(values) {
    return values.slice().sort(function (a, b) {
      return a - b;
    });
  }

  // --- dates: "YYYY-MM-DD" text, day arithmetic on UTC day numbers ------------------------------

  function dayNumber(iso) {
    var date = new Date(0);
    date.setUTCFullYear(
      Number(iso.slice(0, 4)),
      Number(iso.slice(5, 7)) - 1,
      Number(iso.slice(8, 10)),
    );
    return Math.round(date.getTime() / DAY_MS);
  }

  function isoOfDayNumber(days) {
    var date = new Date(days * DAY_MS);
    var year = date.getUTCFullYear();
    if (year < 1 || year > 9999) throw new RangeError('date value out of range');
    return (
      String(year).padStart(4, '0') +
      '-' +
      String(date.getUTCMonth() + 1).padStart(2, '0') +
      '-' +
      String(date.getUTCDate()).padStart(2, '0')
    );
  }

  function dateOf(jsDate) {
    return isoOfDayNumber(Math.floor(jsDate.getTime() / DAY_MS));
  }

  function daysBetween(later, earlier) {
    return dayNumber(later) - dayNumber(earlier);
  }

  var EXCEL_EPOCH = '1899-12-30';

  // --- coercion: what cells send --------------------------------------------------------------

  var THOUSANDS = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/;
  var NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
  var ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})([T ].*)?$/;
  var LOCAL_DATE = /^(\d{1,2})([./])(\d{1,2})\2(\d{4})$/;
  var YMD_SLASH = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/;

  function _quote(value) {
    var chars = Array.from(pyStr(value));
    return chars.length > 40
      ? '"' + chars.slice(0, 40).join('') + '…"'
      : '"' + chars.join('') + '"';
  }

  function to_number(value, name) {
    if (isNone(value) || typeof value === 'boolean') {
      if (isNone(value)) return null;
      throw new InputError(name + ' must be a number, got ' + _quote(value));
    }
    if (typeof value === 'number') {
      if (Number.isNaN(value)) return null;
      if (!Number.isFinite(value)) throw new InputError(name + ' must be a finite number');
      return value;
    }
    if (typeof value === 'string') {
      var text = value.trim();
      if (text === '') return null;
      if (THOUSANDS.test(text)) text = text.replace(/,/g, '');
      if (NUMBER.test(text)) {
        var number = Number(text);
        if (!Number.isFinite(number)) {
          throw new InputError(name + ' must be a finite number, got ' + _quote(value));
        }
        return number;
      }
    }
    throw new InputError(name + ' must be a number, got ' + _quote(value));
  }

  function to_date(value, name, day_first) {
    if (day_first === undefined) day_first = null;
    if (isNone(value)) return null;
    if (value instanceof Date) return dateOf(value);
    if (typeof value === 'boolean')
      throw new InputError(name + ' must be a date, got ' + _quote(value));
    if (typeof value === 'number') {
      if (Number.isNaN(value)) return null;
      return dateOfSerial(value, name, pyStr(value));
    }
    if (typeof value === 'string') {
      var text = value.trim();
      if (text === '') return null;
      // Python re-enters to_date with float(text), so a bad serial is quoted as a float.
      if (NUMBER.test(text)) return dateOfSerial(Number(text), name, pyFloat(Number(text)));
      var found = ISO_DATE.exec(text) || YMD_SLASH.exec(text);
      if (found)
        return _make_date(Number(found[1]), Number(found[2]), Number(found[3]), name, value);
      found = LOCAL_DATE.exec(text);
      if (found) {
        var first = Number(found[1]);
        var second = Number(found[3]);
        var year = Number(found[4]);
        if (found[2] === '.' || first > 12) return _make_date(year, second, first, name, value);
        if (second > 12) return _make_date(year, first, second, name, value);
        if (day_first === null) {
          throw new InputError(
            name +
              ': ' +
              _quote(value) +
              ' could be day/month or month/day; ' +
              'use YYYY-MM-DD or a date cell',
          );
        }
        if (day_first) return _make_date(year, second, first, name, value);
        return _make_date(year, first, second, name, value);
      }
    }
    throw new InputError(name + ' must be a date, got ' + _quote(value));
  }

  function dateOfSerial(serial, name, shown) {
    if (!(1 <= serial && serial < 2958466)) {
      throw new InputError(name + ' must be a date, got "' + shown + '"');
    }
    return isoOfDayNumber(dayNumber(EXCEL_EPOCH) + Math.floor(serial));
  }

  function _make_date(year, month, day, name, raw) {
    var daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate();
    if (month === 2)
      daysInMonth = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysInMonth) {
      throw new InputError(name + ' must be a date, got ' + _quote(raw));
    }
    return (
      String(year).padStart(4, '0') +
      '-' +
      String(month).padStart(2, '0') +
      '-' +
      String(day).padStart(2, '0')
    );
  }

  function _floor(x) {
    return Math.floor(x + EPS);
  }

  function _ceil(x) {
    return Math.ceil(x - EPS);
  }

  function round_to(x, digits) {
    var scale = Math.pow(10, digits);
    return Math.floor(x * scale + 0.5) / scale;
  }

  function _fmt(x, digits) {
    if (digits === undefined) digits = 1;
    return round_to(x, digits).toFixed(digits);
  }

  function add_days(day, days) {
    return isoOfDayNumber(dayNumber(to_date(day, 'day')) + days);
  }

  // --- sales velocity -------------------------------------------------------------------------

  function out_of_stock_days(units, in_stock, available) {
    var n = units.length;
    var known = function (flag) {
      return !isNone(flag);
    };
    if (!isNone(in_stock) && in_stock.some(known)) {
      return in_stock.map(function (flag) {
        return flag === false;
      });
    }
    var out = new Array(n).fill(false);
    if (!isNone(available) && available <= 0) {
      var i = n - 1;
      while (i >= 0 && units[i] === 0) {
        out[i] = true;
        i -= 1;
      }
    }
    return out;
  }

  /**
   * InStockTotals: running totals of in-stock units and days, oldest first, so every window
   * is one subtraction instead of another pass over the history.
   */
  class InStockTotals {
    constructor(units, out) {
      var totals = [0.0];
      var counts = [0];
      var total = 0.0;
      var count = 0;
      for (var i = 0; i < units.length; i++) {
        if (!out[i]) {
          total += units[i];
          count += 1;
        }
        totals.push(total);
        counts.push(count);
      }
      this.totals = totals;
      this.counts = counts;
    }

    window(days) {
      var n = this.totals.length - 1;
      var start = Math.max(0, n - days);
      var count = this.counts[n] - this.counts[start];
      var total = this.totals[n] - this.totals[start];
      return {days: days, in_stock: count, average: count ? total / count : null};
    }
  }

  /** Velocity.basis: "7d 6.0 (6 in stock) · 30d 5.1 (28) · 90d 4.2 (85)". */
  function velocityBasis(windows) {
    var parts = windows.map(function (w, i) {
      var avg = w.average === null ? '–' : _fmt(w.average);
      return w.days + 'd ' + avg + ' (' + w.in_stock + (i === 0 ? ' in stock' : '') + ')';
    });
    return parts.length ? parts.join(' · ') : 'no sales history';
  }

  /** Velocity windows and weights that SALES_VELOCITY and the plan can use, else InputError. */
  function check_windows(windows, weights) {
    if (windows.length !== weights.length || !windows.length) {
      throw new InputError('windows and weights must have the same, non-zero length');
    }
    windows.forEach(function (k) {
      if (k < 1 || k !== Math.trunc(k) || k > MAX_WINDOW_DAYS) {
        throw new InputError(
          'window lengths must be whole days from 1 to ' + MAX_WINDOW_DAYS + ', got ' + _quote(k));
      }
    });
    weights.forEach(function (w) {
      if (w < 0) throw new InputError('weights must not be negative');
    });
  }

  function velocity(units, in_stock, windows, weights, available) {
    if (in_stock === undefined) in_stock = null;
    if (windows === undefined) windows = [7, 30, 90];
    if (weights === undefined) weights = [0.5, 0.3, 0.2];
    if (available === undefined) available = null;
    check_windows(windows, weights);
    var out = out_of_stock_days(units, in_stock, available);
    var sums = new InStockTotals(units, out);
    var averages = windows.map(function (k) {
      return sums.window(Math.trunc(k));
    });
    var weighted = 0.0;
    var weightSum = 0.0;
    weights.forEach(function (w, i) {
      if (averages[i].average !== null) {
        weighted += w * averages[i].average;
        weightSum += w;
      }
    });
    var rate = weightSum > 0 ? weighted / weightSum : null;
    var short = sums.window(7);
    var long = sums.window(30);
    var trend = null;
    if (short.average !== null && long.average !== null && long.average > 0) {
      trend = short.average / long.average;
    }
    var result = {
      rate: rate,
      windows: averages,
      trend: trend,
      daily_sd: _in_stock_sd(units, out, sums.window(90)),
      out_of_stock: out,
    };
    // A property in Python, so not part of the dataclass fields (nor of the JSON form).
    Object.defineProperty(result, 'basis', {value: velocityBasis(averages), enumerable: false});
    return result;
  }

  function _in_stock_sd(units, out, window) {
    if (window.in_stock < 2 || window.average === null) return 0.0;
    var mean = window.average;
    var squares = 0.0;
    for (var i = Math.max(0, units.length - window.days); i < units.length; i++) {
      if (!out[i]) squares += (units[i] - mean) * (units[i] - mean);
    }
    return Math.sqrt(squares / (window.in_stock - 1));
  }

  /** demand_forecast_of: f_t for a SKU whose velocity is `vel` (addin/forecast.py). */
  function demand_forecast_of(units, vel, windows, weights, horizon, as_of, profile, weeks) {
    if (windows === undefined) windows = [7, 30, 90];
    if (weights === undefined) weights = [0.5, 0.3, 0.2];
    if (horizon === undefined) horizon = 365;
    if (as_of === undefined) as_of = null;
    if (profile === undefined) profile = null;
    if (weeks === undefined) weeks = null;
    var cleaned = DemandHistory.clean(units, vel.out_of_stock);
    var out = cleaned[1];
    var note = cleaned[2];
    var rate = vel.rate;
    var sd = vel.daily_sd;
    if (note) {
      var again = velocity(
        cleaned[0],
        out.map(function (x) {
          return !x;
        }),
        windows,
        weights,
      );
      rate = again.rate;
      sd = again.daily_sd;
    }
    if (rate === null) return null;
    if (weeks === null || note || out.some(Boolean)) {
      weeks = DemandHistory.weekly(cleaned[0], out, undefined, weeks);
    }
    return DemandForecast.forecast(rate, weeks, {
      share: DemandHistory.sale_share(cleaned[0], out),
      daily_sd: sd,
      horizon: horizon,
      profile: profile,
      as_of: as_of,
      windows: windows,
      weights: weights,
      history_days: units.length,
      note: note,
    });
  }
  // --- projection -----------------------------------------------------------------------------

  /** demand_sequence: f_t = v × uplift_t for t in [0, horizon). */
  function demand_sequence(rate, horizon, promotions) {
    var out = new Array(horizon);
    var t;
    if (!promotions || !promotions.length) {
      for (t = 0; t < horizon; t++) out[t] = rate;
      return out;
    }
    var uplift = new Array(horizon);
    for (t = 0; t < horizon; t++) uplift[t] = 1.0;
    promotions.forEach(function (promo) {
      for (var d = Math.max(0, promo[0]); d < Math.min(promo[1] + 1, horizon); d++) {
        uplift[d] *= promo[2];
      }
    });
    for (t = 0; t < horizon; t++) out[t] = rate * uplift[t];
    return out;
  }

  /** First index i in [lo, hi) with values[i] > x, else hi (Python's bisect_right). */
  function bisect_right(values, x, lo, hi) {
    while (lo < hi) {
      var mid = Math.floor((lo + hi) / 2);
      if (x < values[mid]) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Projection: stock over the horizon, day by day, for a per-day demand f_t. */
  class Projection {
    constructor(available, daily, arrivals) {
      this.available = available;
      this.daily = daily;
      this.arrivals = arrivals; // Map day -> units, in Python's insertion order
      var totals = [0.0];
      var acc = 0.0;
      for (var t = 0; t < daily.length; t++) {
        acc += daily[t];
        totals.push(acc);
      }
      this.totals = totals;
      this.landings = sortedNumbers(Array.from(arrivals.keys()));
      this.segments = this._segments();
    }

    get horizon() {
      return this.daily.length;
    }

    demand(start, end) {
      var h = this.horizon;
      var total =
        this.totals[Math.min(Math.max(end, 0), h)] - this.totals[Math.min(Math.max(start, 0), h)];
      if (end > h && h) total += this.daily[h - 1] * (end - Math.max(start, h));
      return total;
    }

    forecast(day) {
      if (day < this.horizon) return this.daily[day];
      return this.daily.length ? this.daily[this.daily.length - 1] : 0.0;
    }

    arrived(day) {
      var total = 0.0;
      for (var i = 0; i < this.landings.length; i++) {
        if (this.landings[i] <= day) total += this.arrivals.get(this.landings[i]);
      }
      return total;
    }

    _segments() {
      var out = [];
      var stock = this.available;
      var start = 0;
      var days = this.landings.concat([this.horizon]);
      for (var i = 0; i < days.length; i++) {
        var d = days[i];
        if (d > start) {
          out.push([start, d, stock]);
          stock = pyMax(0.0, stock - (this.totals[d] - this.totals[start]));
          start = d;
        }
        stock += this.arrivals.has(d) ? this.arrivals.get(d) : 0.0;
      }
      return out;
    }

    stock_at(day) {
      var segments = this.segments;
      for (var i = 0; i < segments.length; i++) {
        var s = segments[i][0];
        if (day < segments[i][1]) {
          return pyMax(0.0, segments[i][2] - (this.totals[Math.max(day, s)] - this.totals[s]));
        }
      }
      return 0.0;
    }

    first_day_below(threshold, start) {
      start = start || 0;
      var segments = this.segments;
      for (var k = 0; k < segments.length; k++) {
        var s = segments[k][0];
        var e = segments[k][1];
        if (e <= start) continue;
        var lo = Math.max(s, start);
        var target = segments[k][2] + this.totals[s] - threshold + EPS;
        var i = bisect_right(this.totals, target, lo + 1, e + 1);
        if (i <= e) return i - 1;
      }
      return null;
    }

    daily_stock(days) {
      var stock = this.available;
      var out = [];
      for (var t = 0; t < days; t++) {
        stock += this.arrivals.has(t) ? this.arrivals.get(t) : 0.0;
        out.push(stock);
        stock = Math.max(0.0, stock - this.forecast(t));
      }
      return out;
    }
  }

  function project(available, demand, inbound) {
    inbound = inbound || [];
    var horizon = demand.length;
    var arrivals = new Map();
    inbound.forEach(function (pair) {
      var d = Math.max(0, pair[0]);
      var qty = pair[1];
      if (d < horizon && qty > 0) arrivals.set(d, (arrivals.has(d) ? arrivals.get(d) : 0.0) + qty);
    });
    return new Projection(Math.max(0.0, available), demand.slice(), arrivals);
  }

  // --- lead time, safety stock, reorder -------------------------------------------------------

  function lead_time(production_days, transit_days, receiving_days) {
    return _ceil(production_days + transit_days + receiving_days);
  }

  function _horner(coefficients, x) {
    var acc = coefficients[0];
    for (var i = 1; i < coefficients.length; i++) acc = acc * x + coefficients[i];
    return acc;
  }

  // Wichura (1988), Algorithm AS241 PPND16: highest power first.
  var AS241_CENTRAL_NUM = [
    2509.0809287301226727, 33430.575583588128105, 67265.770927008700853, 45921.953931549871457,
    13731.693765509461125, 1971.5909503065514427, 133.14166789178437745, 3.387132872796366608,
  ];
  var AS241_CENTRAL_DEN = [
    5226.495278852854561, 28729.085735721942674, 39307.89580009271061, 21213.794301586595867,
    5394.1960214247511077, 687.1870074920579083, 42.313330701600911252, 1.0,
  ];
  var AS241_NEAR_NUM = [
    7.7454501427834140764e-4, 0.0227238449892691845833, 0.24178072517745061177,
    1.27045825245236838258, 3.64784832476320460504, 5.7694972214606914055, 4.6303378461565452959,
    1.42343711074968357734,
  ];
  var AS241_NEAR_DEN = [
    1.05075007164441684324e-9, 5.475938084995344946e-4, 0.0151986665636164571966,
    0.14810397642748007459, 0.68976733498510000455, 1.6763848301838038494, 2.05319162663775882187,
    1.0,
  ];
  var AS241_TAIL_NUM = [
    2.01033439929228813265e-7, 2.71155556874348757815e-5, 0.0012426609473880784386,
    0.026532189526576123093, 0.29656057182850489123, 1.7848265399172913358, 5.4637849111641143699,
    6.6579046435011037772,
  ];
  var AS241_TAIL_DEN = [
    2.04426310338993978564e-15, 1.4215117583164458887e-7, 1.8463183175100546818e-5,
    7.868691311456132591e-4, 0.0148753612908506148525, 0.13692988092273580531,
    0.59983220655588793769, 1.0,
  ];

  function inverse_normal_cdf(p) {
    if (!(0 < p && p < 1)) {
      // Python holds service levels as floats (Settings, to_number): quote p as one.
      throw new InputError('service_level must be between 0 and 1, got "' + pyFloat(p) + '"');
    }
    var q = p - 0.5;
    var r;
    var x;
    if (Math.abs(q) <= 0.425) {
      r = 0.180625 - q * q;
      return (q * _horner(AS241_CENTRAL_NUM, r)) / _horner(AS241_CENTRAL_DEN, r);
    }
    r = Math.sqrt(-Math.log(q <= 0 ? p : 1.0 - p));
    if (r <= 5.0) {
      r -= 1.6;
      x = _horner(AS241_NEAR_NUM, r) / _horner(AS241_NEAR_DEN, r);
    } else {
      r -= 5.0;
      x = _horner(AS241_TAIL_NUM, r) / _horner(AS241_TAIL_DEN, r);
    }
    return q < 0 ? -x : x;
  }

  function safety_stock_units(
    rate,
    daily_sd,
    lead_time_days,
    service_level,
    lead_time_sd,
    safety_days,
  ) {
    if (service_level === undefined) service_level = 0.95;
    if (lead_time_sd === undefined) lead_time_sd = 0.0;
    if (safety_days === undefined) safety_days = 7.0;
    var z = inverse_normal_cdf(service_level);
    var noise =
      z *
      Math.sqrt(lead_time_days * daily_sd * daily_sd + rate * rate * lead_time_sd * lead_time_sd);
    return Math.max(0, _ceil(pyMax(noise, rate * safety_days)));
  }

  /** Python's max(a, b): the first argument unless the second is strictly greater. */
  function pyMax(a, b) {
    return b > a ? b : a;
  }

  /** Python's min(a, b): the first argument unless the second is strictly smaller. */
  function pyMin(a, b) {
    return b < a ? b : a;
  }

  function round_up_to_pack(units, case_pack) {
    var pack = case_pack && case_pack >= 1 ? case_pack : 1;
    return units > 0 ? _ceil(_ceil(units) / pack) * Math.trunc(pack) : 0;
  }

  function order_quantity(need, case_pack, moq) {
    var qty = need > EPS ? round_up_to_pack(need, case_pack) : 0;
    if (qty > 0 && moq && qty < moq) qty = round_up_to_pack(moq, case_pack);
    return qty;
  }

  // --- the rules read from the projection (addin/projection.py) -----------------------------

  function Gap(fields) {
    return Object.assign(
      {stockout_day: null, next_landing: null, end: null, days: 0, lost_units: 0},
      fields || {},
    );
  }

  function find_gap(proj, lead) {
    var out = proj.first_day_below(0.0);
    if (out === null) return Gap();
    var later = null;
    for (var i = 0; i < proj.landings.length; i++) {
      if (proj.landings[i] > out) {
        later = proj.landings[i];
        break;
      }
    }
    var end = later === null ? lead : Math.min(later, lead);
    if (end <= out) return Gap({stockout_day: out, next_landing: later, end: out});
    var lost = _ceil(pyMax(0.0, proj.demand(out, end) - proj.stock_at(out)));
    return Gap({stockout_day: out, next_landing: later, end: end, days: end - out, lost_units: lost});
  }

  function shortfall(proj, gap, from_day) {
    if (gap.stockout_day === null || gap.end === null || from_day >= gap.end) return 0.0;
    var start = Math.max(from_day, gap.stockout_day);
    var need = proj.demand(start, gap.end);
    if (start === gap.stockout_day) need -= proj.stock_at(start);
    return pyMax(0.0, need);
  }

  function find_reorder(proj, lead, safety_stock, cover_days, case_pack, moq) {
    var dip = proj.first_day_below(safety_stock, lead);
    if (dip === null) return {dip_day: null, by_day: null, qty: 0};
    var end = dip + _ceil(cover_days);
    var stock = proj.stock_at(dip);
    var coming = 0.0;
    var need = 0.0;
    proj.landings.forEach(function (d) {
      if (dip < d && d < end) {
        need = pyMax(need, proj.demand(dip, d) + safety_stock - stock - coming);
        coming += proj.arrivals.get(d);
      }
    });
    need = pyMax(need, proj.demand(dip, end) + safety_stock - stock - coming);
    return {dip_day: dip, by_day: dip - lead, qty: order_quantity(need, case_pack, moq)};
  }

  function alert_for(days_to_stockout, available, warn_days, has_rate, lead_time, reorder_day, overdue) {
    if (warn_days === undefined) warn_days = [30, 15, 7];
    if (has_rate === undefined) has_rate = true;
    if (!isNone(available) && available <= 0) return OUT;
    if (!has_rate) return NO_DATA;
    var level = OK;
    if (!isNone(days_to_stockout)) {
      if (warn_days.length !== 3) throw new InputError('warn_days needs three lines, e.g. 30,15,7');
      var lines = warn_days.slice().sort(function (a, b) {
        return b - a;
      });
      if (days_to_stockout < lines[2]) return CRITICAL;
      if (days_to_stockout < lines[1]) return WARNING;
      if (days_to_stockout < lines[0]) return WATCH;
      if (!isNone(lead_time) && days_to_stockout < lead_time) level = WATCH;
    }
    if (overdue || (!isNone(reorder_day) && reorder_day <= REORDER_SOON_DAYS)) level = WATCH;
    return level;
  }

  // --- settings -----------------------------------------------------------------------------

  var SETTINGS_DEFAULTS = {
    warn_days: [30, 15, 7],
    velocity_windows: [7, 30, 90],
    velocity_weights: [0.5, 0.3, 0.2],
    service_level: 0.95,
    safety_days: 7,
    cover_target_days: 60,
    lead_time_sd_days: 0,
    production_days: 30,
    sea_days: 35,
    air_days: 10,
    express_days: 6,
    receiving_days: 10,
    default_mode: 'sea',
    horizon_days: 365,
    fee_line_days: 28,
    overstock_days: 180,
    fbm_enabled: true,
    coupon_pct: 20,
    ad_boost_pct: 30,
    relaunch_days: 14,
    sea_cost_per_kg: 1.2,
    air_cost_per_kg: 6.5,
    express_cost_per_kg: 9.0,
    rush_production_days: null,
    fbm_cost_per_unit: null,
  };

  /** Settings(**fields): the planning settings with SPEC §2 defaults. */
  function Settings(fields) {
    return Object.assign({}, SETTINGS_DEFAULTS, fields || {});
  }

  function fmt_money(amount) {
    return isNone(amount) ? '' : withCommas(round_to(amount, 2).toFixed(2));
  }

  // --- the custom functions (SPEC §4): one value in, one value out ----------------------------

  // --- the long Sales table (addin/velocity.py) ----------------------------------------------

  var TABLE_DAYS = Math.max(MAX_WINDOW_DAYS, 7 * 65);

  /** A SKU cell as it compares: 1004 and "1004 " are "1004", case folded. */
  function _sku_text(value) {
    if (isNone(value)) return '';
    return pyStr(value).trim().toLowerCase();
  }

  /** sku_history: one SKU's daily units and in-stock flags from the long Sales table. */
  function sku_history(table, sku, as_of) {
    var key = _sku_text(sku);
    if (!key) throw new InputError('sku is required');
    var day0 = to_date(as_of, 'as_of');
    var mine = [];
    var last = null;
    table.forEach(function (row, i) {
      var cells = row.slice();
      while (cells.length < 4) cells.push(null);
      var day;
      if (_sku_text(cells[1]) !== key) {
        if (day0 === null) {
          try {
            day = to_date(cells[0], 'Date');
          } catch (err) {
            if (!(err instanceof InputError)) throw err;
            day = null; // a header or another SKU's bad date: not this SKU's problem
          }
          if (day !== null && (last === null || day > last)) last = day;
        }
        return;
      }
      var units, flag;
      try {
        day = to_date(cells[0], 'Date');
        units = to_number(cells[2], 'Units') || 0.0;
        flag = row.length > 3 ? _to_flag(cells[3]) : null;
      } catch (err) {
        if (err instanceof InputError) {
          throw new InputError('row ' + (i + 1) + ' of the table: ' + err.message);
        }
        throw err;
      }
      if (day === null) throw new InputError('row ' + (i + 1) + ' of the table has no Date');
      mine.push([day, units, flag]);
      if (last === null || day > last) last = day;
    });
    var end = day0 !== null ? day0 : last !== null ? add_days(last, 1) : null;
    var kept = mine.filter(function (r) {
      var back = end === null ? 0 : daysBetween(end, r[0]);
      return 0 < back && back <= TABLE_DAYS;
    });
    if (end === null || !kept.length) return [[], null];
    var first = kept.reduce(function (a, r) {
      return r[0] < a ? r[0] : a;
    }, kept[0][0]);
    var n = daysBetween(end, first);
    var units = new Array(n).fill(0.0);
    var flags = new Array(n).fill(null);
    kept.forEach(function (r) {
      var d = daysBetween(r[0], first);
      units[d] += r[1];
      if (r[2] !== null) flags[d] = r[2];
    });
    var anyFlag = flags.some(function (f) {
      return f !== null;
    });
    return [units, anyFlag ? flags : null];
  }

  function days_of_cover(available, daily_sales) {
    var stock = _required_stock(available);
    var rate = to_number(daily_sales, 'daily_sales');
    if (rate === null || rate <= 0) return null;
    return stock / rate;
  }

  function sales_velocity(units, in_stock, windows, weights, sku, as_of) {
    var daily = _daily_series(units, in_stock, sku, as_of);
    var series = daily[0];
    var flags = daily[1];
    var win =
      windows && windows.length
        ? windows.map(function (x) {
            return Math.trunc(_required(x, 'windows'));
          })
        : [7, 30, 90];
    var wts =
      weights && weights.length
        ? weights.map(function (x) {
            return _required(x, 'weights');
          })
        : [0.5, 0.3, 0.2];
    return velocity(series, flags, win, wts).rate;
  }

  function _daily_series(units, in_stock, sku, as_of) {
    if (!isNone(sku)) {
      if (!isNone(in_stock)) {
        throw new InputError("with sku, In stock is the table's fourth column, not in_stock");
      }
      return sku_history(units, sku, as_of);
    }
    var series = units.map(function (u) {
      return to_number(u, 'units') || 0.0;
    });
    if (isNone(in_stock)) return [series, null];
    if (in_stock.length !== series.length) {
      throw new InputError('in_stock must have one value per day of units');
    }
    return [series, in_stock.map(_to_flag)];
  }

  function demand_forecast(units, as_of, days, in_stock, season, sku) {
    var day0 = _required_date(as_of, 'as_of');
    var daily = _daily_series(units, in_stock, sku, day0);
    var span = Math.max(1, _ceil(_optional(days, 'days', 30.0, 0)));
    var profile;
    try {
      profile = ForecastSeason.parse_profile(season);
    } catch (err) {
      if (err instanceof ForecastSeason.ProfileError) throw new InputError(err.message);
      throw err;
    }
    var vel = velocity(daily[0], daily[1]);
    var fc = demand_forecast_of(daily[0], vel, undefined, undefined, span, day0, profile);
    return fc === null ? null : DemandForecast.mean_rate(fc, span);
  }

  function stockout_date(available, daily_sales, as_of, inbound_qty, inbound_eta, history) {
    var stock = _required_stock(available);
    var day0 = _required_date(as_of, 'as_of');
    var demand = cell_demand(daily_sales, history, day0);
    var rate = demand[0];
    if (rate <= 0) return null;
    var inbound = _one_inbound(inbound_qty, inbound_eta, day0);
    var proj = _cell_projection(stock, rate, inbound, 0, demand[1]);
    var t = proj.first_day_below(0.0);
    return t !== null ? add_days(day0, t) : null;
  }

  function stockout_gap(available, daily_sales, as_of, next_eta, lead_time_days) {
    var stock = _required_stock(available);
    var rate = _required(daily_sales, 'daily_sales');
    var day0 = _required_date(as_of, 'as_of');
    var eta = to_date(next_eta, 'next_eta');
    var lead = _optional(lead_time_days, 'lead_time_days', -1.0, 0);
    if (eta === null && lead < 0) throw new InputError('next_eta or lead_time_days is required');
    if (rate <= 0) return 0;
    var end = eta !== null ? daysBetween(eta, day0) : null;
    if (lead >= 0) end = end === null ? _ceil(lead) : Math.min(end, _ceil(lead));
    return find_gap(_cell_projection(stock, rate, []), Math.max(end, 0)).days;
  }

  function safety_stock(
    daily_sales,
    daily_sd,
    lead_time_days,
    service_level,
    lead_time_sd,
    safety_days,
  ) {
    var rate = _required(daily_sales, 'daily_sales', 0);
    var sd = _required(daily_sd, 'daily_sd', 0);
    var lead = _required(lead_time_days, 'lead_time_days', 0);
    var level = _optional(service_level, 'service_level', 0.95);
    var ltSd = _optional(lead_time_sd, 'lead_time_sd', 0.0, 0);
    var days = _optional(safety_days, 'safety_days', 7.0, 0);
    return safety_stock_units(rate, sd, lead, level, ltSd, days);
  }

  function reorder_date(
    available,
    daily_sales,
    lead_time_days,
    as_of,
    safety_stock,
    inbound_qty,
    inbound_eta,
    history,
  ) {
    var stock = _required_stock(available);
    var lead = _ceil(_required(lead_time_days, 'lead_time_days', 0));
    var day0 = _required_date(as_of, 'as_of');
    var ss = _optional(safety_stock, 'safety_stock', 0.0, 0);
    var demand = cell_demand(daily_sales, history, day0);
    var rate = demand[0];
    if (rate <= 0) return null;
    var inbound = _one_inbound(inbound_qty, inbound_eta, day0);
    var proj = _cell_projection(stock, rate, inbound, lead, demand[1]);
    var order = find_reorder(proj, lead, ss, 0);
    return order.by_day !== null ? add_days(day0, order.by_day) : null;
  }

  function reorder_qty(
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
    var stock = _required_stock(available);
    var coming = _optional(inbound, 'inbound', 0.0, 0);
    var rate = _required(daily_sales, 'daily_sales', 0);
    var lead = _ceil(_required(lead_time_days, 'lead_time_days', 0));
    var cover = _optional(cover_days, 'cover_days', 60.0, 0);
    var ss = _optional(safety_stock, 'safety_stock', 0.0, 0);
    var pack = _optional(case_pack, 'case_pack', 1.0, 0);
    var minimum = _optional(moq, 'moq', 0.0, 0);
    if (rate <= 0) return 0;
    var landing = coming > 0 ? [[0, coming]] : [];
    if (to_date(inbound_eta, 'inbound_eta') !== null) {
      landing = _one_inbound(coming, inbound_eta, _required_date(as_of, 'as_of'));
    }
    var proj = _cell_projection(stock, rate, landing, lead + _ceil(cover));
    return find_reorder(proj, lead, ss, cover, pack, minimum).qty;
  }

  function alert_level(days_to_stockout, available, warn_days, lead_time_days, days_to_reorder, overdue_inbound) {
    var days = to_number(days_to_stockout, 'days_to_stockout');
    var stock = to_number(available, 'available');
    var lines =
      warn_days && warn_days.length
        ? warn_days.map(function (x) {
            return _required(x, 'warn_days');
          })
        : [30, 15, 7];
    var lead = to_number(lead_time_days, 'lead_time_days');
    var reorder = to_number(days_to_reorder, 'days_to_reorder');
    var late = (to_number(overdue_inbound, 'overdue_inbound') || 0) > 0;
    return alert_for(days, stock, lines, true, lead, reorder, late);
  }

  function _required(value, name, minimum) {
    var number = to_number(value, name);
    if (number === null) throw new InputError(name + ' is required');
    if (!isNone(minimum) && number < minimum) {
      throw new InputError(name + ' must not be negative, got ' + _quote(value));
    }
    return number;
  }

  function _optional(value, name, fallback, minimum) {
    if (to_number(value, name) === null) return fallback;
    return _required(value, name, minimum);
  }

  function _required_stock(value) {
    return _required(value, 'available', 0);
  }

  function _required_date(value, name) {
    var day = to_date(value, name);
    if (day === null) throw new InputError(name + ' is required');
    return day;
  }

  function _blank(value) {
    return isNone(value) || (typeof value === 'string' && value.trim() === '');
  }

  /** [rate, forecast blocks] a date cell walks (see formulas.cell_demand). */
  function cell_demand(daily_sales, history, as_of) {
    if (isNone(history) || (Array.isArray(history) && history.every(_blank))) {
      return [_required(daily_sales, 'daily_sales'), []];
    }
    if (!Array.isArray(history)) throw new InputError('history must be a range of daily units');
    var series = history.map(function (u) {
      return to_number(u, 'history') || 0.0;
    });
    var fc = demand_forecast_of(series, velocity(series), undefined, undefined, undefined, as_of);
    if (_blank(daily_sales)) return fc !== null ? [fc.rate, fc.blocks] : [0.0, []];
    return [_required(daily_sales, 'daily_sales'), fc !== null ? fc.blocks : []];
  }

  function _cell_horizon(stock, rate, inbound, extra, shape) {
    var landed = stock;
    var last = 0;
    inbound.forEach(function (pair) {
      landed += pair[1];
      last = Math.max(last, pair[0]);
    });
    var low = 1.0;
    (shape || []).forEach(function (block) {
      if (block[2] < low) low = block[2];
    });
    return Math.min(100000, last + _ceil(landed / (rate * low)) + (extra || 0) + 2);
  }

  function _cell_projection(stock, rate, inbound, extra, shape) {
    var horizon = _cell_horizon(stock, rate, inbound, extra, shape);
    return project(stock, demand_sequence(rate, horizon, shape || []), inbound);
  }

  function _one_inbound(qty, eta, as_of) {
    var units = to_number(qty, 'inbound_qty');
    var day = to_date(eta, 'inbound_eta');
    if (units === null || units <= 0) return [];
    if (day === null) throw new InputError('inbound_eta is required when inbound_qty is given');
    return [[daysBetween(day, as_of), units]];
  }

  var TRUE_WORDS = ['true', 'yes', 'y', '1', '是', '有货'];
  var FALSE_WORDS = ['false', 'no', 'n', '0', '否', '缺货'];

  function _to_flag(value) {
    if (isNone(value) || value === '') return null;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'number') return value !== 0;
    var text = pyStr(value).trim().toLowerCase();
    if (TRUE_WORDS.indexOf(text) >= 0) return true;
    if (FALSE_WORDS.indexOf(text) >= 0) return false;
    throw new InputError('in_stock must be TRUE or FALSE, got ' + _quote(value));
  }

  return {
    InputError: InputError,
    EPS: EPS,
    ALERT_LEVELS: ALERT_LEVELS,
    REORDER_SOON_DAYS: REORDER_SOON_DAYS,
    OUT: OUT,
    OK: OK,
    WATCH: WATCH,
    SWITCH_TO_FBM: SWITCH_TO_FBM,
    TRANSFER: TRANSFER,
    EXPEDITE_BY_AIR: EXPEDITE_BY_AIR,
    EXPEDITE_BY_EXPRESS: EXPEDITE_BY_EXPRESS,
    SLOW_SALES: SLOW_SALES,
    PAUSE_AND_NOTIFY: PAUSE_AND_NOTIFY,
    REORDER_NOW: REORDER_NOW,
    REORDER_SOON: REORDER_SOON,
    CHASE_INBOUND: CHASE_INBOUND,
    RELAUNCH: RELAUNCH,
    LEAD_TIME_RISK: LEAD_TIME_RISK,
    FEE_RISK: FEE_RISK,
    OVERSTOCK: OVERSTOCK,
    INBOUND_OVERDUE: INBOUND_OVERDUE,
    TREND_UP: TREND_UP,
    NO_SALES: NO_SALES,
    SHORT_HISTORY: SHORT_HISTORY,
    isNone: isNone,
    pyMax: pyMax,
    pyMin: pyMin,
    withCommas: withCommas,
    ceil_eps: _ceil,
    floor_eps: _floor,
    fmt_number: _fmt,
    fmt_money: fmt_money,
    to_number: to_number,
    to_date: to_date,
    round_to: round_to,
    add_days: add_days,
    out_of_stock_days: out_of_stock_days,
    sku_history: sku_history,
    InStockTotals: InStockTotals,
    check_windows: check_windows,
    velocity: velocity,
    demand_forecast_of: demand_forecast_of,
    demand_sequence: demand_sequence,
    project: project,
    lead_time: lead_time,
    inverse_normal_cdf: inverse_normal_cdf,
    safety_stock_units: safety_stock_units,
    round_up_to_pack: round_up_to_pack,
    order_quantity: order_quantity,
    alert_for: alert_for,
    Settings: Settings,
    find_gap: find_gap,
    shortfall: shortfall,
    find_reorder: find_reorder,
    days_of_cover: days_of_cover,
    sales_velocity: sales_velocity,
    demand_forecast: demand_forecast,
    stockout_date: stockout_date,
    stockout_gap: stockout_gap,
    safety_stock: safety_stock,
    reorder_date: reorder_date,
    reorder_qty: reorder_qty,
    alert_level: alert_level,
    to_flag: _to_flag,
  };
})();
