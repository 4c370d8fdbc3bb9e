/**
 * A SKU's sales history read as demand, for Google Sheets: a line-by-line port of
 * addin/demand_history.py (its docstrings say why each rule is there), with the same
 * floating-point operations in the same order so the shared vectors agree to the last digit.
 * A Weekly is {units: [...], days: [...]}, newest week first.
 */
var DemandHistory = (function () {
  'use strict';

  var WEEKS = 65;
  var SPIKE_TIMES = 2.0;
  var SPIKE_SIGMAS = 3.0;
  var SPIKE_DAYS = 3;
  var LISTED_UNITS = 4.6;

  function isNone(value) {
    return value === null || value === undefined;
  }

  function listed_before(rate, silent_days) {
    return rate * silent_days <= LISTED_UNITS;
  }

  function Weekly(units, days) {
    return {units: units, days: days};
  }

  function weekly(units, out, weeks, older) {
    if (isNone(weeks)) weeks = WEEKS;
    if (older === undefined) older = null;
    var n = units.length;
    var week_units = [];
    var week_days = [];
    var end = n;
    while (end > 0 && week_units.length < weeks) {
      var start = Math.max(0, end - 7);
      var total = 0.0;
      var count = 0;
      for (var i = start; i < end; i++) {
        if (!out[i]) {
          total += units[i];
          count += 1;
        }
      }
      week_units.push(total);
      week_days.push(count);
      end = start;
    }
    if (older !== null && n >= 7) {
      var whole = Math.floor(n / 7);
      return Weekly(
        week_units.slice(0, whole).concat(older.units.slice(whole)),
        week_days.slice(0, whole).concat(older.days.slice(whole)),
      );
    }
    return Weekly(week_units, week_days);
  }

  function clean(units, out) {
    var n = units.length;
    var total = 0.0;
    var count = 0;
    var i;
    for (i = Math.max(0, n - 90); i < n; i++) {
      if (!out[i]) {
        total += units[i];
        count += 1;
      }
    }
    var level = count ? total / count : 0.0;
    var marked = out.slice();
    var suppressed = 0;
    for (i = Math.max(1, n - 90); i < n; i++) {
      if (out[i] && !out[i - 1]) {
        var j = i - 1;
        while (j >= 0 && j >= i - 3 && !out[j] && units[j] < 0.5 * level) {
          marked[j] = true;
          suppressed += 1;
          j -= 1;
        }
      }
    }
    var cleaned = units.slice();
    var spikes = 0;
    var cap = 0.0;
    var before = 0.0;
    var days = 0;
    for (i = Math.max(0, n - 90); i < n - 14; i++) {
      if (!marked[i]) {
        before += units[i];
        days += 1;
      }
    }
    if (days >= 28) {
      var mean = before / days;
      var squares = 0.0;
      for (i = Math.max(0, n - 90); i < n - 14; i++) {
        if (!marked[i]) squares += (units[i] - mean) * (units[i] - mean);
      }
      var sd = Math.sqrt(squares / (days - 1));
      cap = SPIKE_TIMES * mean;
      var other = mean + SPIKE_SIGMAS * Math.max(sd, Math.sqrt(mean)) + 1.0;
      if (other > cap) cap = other;
      var above = [];
      for (i = n - 14; i < n; i++) {
        if (!marked[i] && cleaned[i] > cap) above.push(i);
      }
      if (above.length <= SPIKE_DAYS) {
        above.forEach(function (d) {
          cleaned[d] = cap;
        });
        spikes = above.length;
      }
    }
    var notes = [];
    if (suppressed) notes.push(_days(suppressed) + ' of suppressed sales before stockouts');
    if (spikes) notes.push(_days(spikes) + ' of spikes capped at ' + Formulas.fmt_number(cap, 1));
    return [cleaned, marked, notes.join(' · ')];
  }

  function sale_share(units, out, days) {
    if (isNone(days)) days = 90;
    var n = units.length;
    var sold = 0;
    var count = 0;
    for (var i = Math.max(0, n - days); i < n; i++) {
      if (!out[i]) {
        count += 1;
        if (units[i] > 0) sold += 1;
      }
    }
    return count ? sold / count : null;
  }

  function _days(n) {
    return n === 1 ? '1 day' : n + ' days';
  }

  return {
    WEEKS: WEEKS,
    listed_before: listed_before,
    Weekly: Weekly,
    weekly: weekly,
    clean: clean,
    sale_share: sale_share,
  };
})();
