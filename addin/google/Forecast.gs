/**
 * The demand forecast f_t for Google Sheets: a line-by-line port of addin/forecast.py.
 *
 * forecast.py is the source of truth (its docstrings say why each rule is there); this file
 * mirrors it with the same floating-point operations in the same order, so the shared vectors
 * in tests/vectors agree to the last digit. Dates are "YYYY-MM-DD" text; a Weekly is
 * {units: [...], days: [...]}, newest week first; a Forecast is
 * {rate, blocks: [[first day, last day, factor], ...], model, basis, sigma}.
 * Everything lives in one `DemandForecast` object so none of it shows up as a sheet function.
 */
var DemandForecast = (function () {
  'use strict';

  var WEEKS = 65;
  var YEAR_WEEKS = 52;
  var SEASON_EVIDENCE = 60.0;
  var SEASON_GATE = 32.9;
  var TREND_SIGMAS = 3.0;
  var TREND_SHARE = 0.2;
  var TREND_DAMPING = 0.97;
  var SLOW_SHARE = 0.5;
  var TSB_ALPHA = 0.1;
  var SPIKE_TIMES = 2.0;
  var SPIKE_SIGMAS = 3.0;
  var SPIKE_DAYS = 3;
  var LISTED_UNITS = 4.6;

  var PROFILES = {
    q4: [0.8, 0.75, 0.8, 0.85, 0.9, 0.9, 1.0, 0.95, 0.95, 1.1, 1.8, 2.2],
    summer: [0.6, 0.6, 0.8, 1.0, 1.3, 1.6, 1.7, 1.4, 1.0, 0.7, 0.6, 0.7],
    winter: [1.6, 1.3, 1.0, 0.7, 0.6, 0.5, 0.5, 0.6, 0.8, 1.1, 1.5, 1.8],
  };

  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  var DAY_MS = 86400000;

  /** A seasonal profile that is neither a known name nor 12 positive numbers. */
  class ProfileError extends Error {
    constructor(message) {
      super(message);
      this.name = 'ProfileError';
    }
  }

  function isNone(value) {
    return value === null || value === undefined;
  }

  function parse_profile(value) {
    if (isNone(value)) return null;
    var text = String(value).trim().toLowerCase();
    if (text === '') return null;
    if (Object.prototype.hasOwnProperty.call(PROFILES, text)) return PROFILES[text].slice();
    var parts = text
      .split(';')
      .join(',')
      .split(' ')
      .join(',')
      .split(',')
      .filter(function (p) {
        return p;
      });
    var numbers = parts.map(function (p) {
      return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(p) ? Number(p) : NaN;
    });
    var bad =
      numbers.length !== 12 ||
      numbers.some(function (x) {
        return !(x > 0) || !isFinite(x);
      });
    if (bad) {
      throw new ProfileError(
        'season must be q4, summer, winter or 12 monthly indexes, got ' +
          pyRepr(text.slice(0, 40)),
      );
    }
    return numbers;
  }

  function pyRepr(text) {
    return text.indexOf("'") >= 0 && text.indexOf('"') < 0 ? '"' + text + '"' : "'" + text + "'";
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

  function Forecast(rate, blocks, model, basis, sigma) {
    return {
      rate: rate,
      blocks: blocks || [],
      model: isNone(model) ? 'velocity' : model,
      basis: isNone(basis) ? '' : basis,
      sigma: isNone(sigma) ? 0.0 : sigma,
    };
  }

  function daily(fc, days) {
    var factors = new Array(days);
    var t;
    for (t = 0; t < days; t++) factors[t] = 1.0;
    fc.blocks.forEach(function (block) {
      for (var d = Math.max(0, block[0]); d < Math.min(days, block[1] + 1); d++) {
        factors[d] *= block[2];
      }
    });
    return factors.map(function (x) {
      return fc.rate * x;
    });
  }

  function mean_rate(fc, days) {
    if (days <= 0 || !fc.blocks.length) return fc.rate;
    var total = 0.0;
    daily(fc, days).forEach(function (x) {
      total += x;
    });
    return total / days;
  }

  function normal_cdf(x) {
    var z = Math.abs(x) / Math.sqrt(2.0);
    var t = 1.0 / (1.0 + 0.5 * z);
    var poly = 0.17087277;
    [
      -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418, 0.37409196,
      1.00002368, -1.26551223,
    ].forEach(function (c) {
      poly = poly * t + c;
    });
    var erfc = t * Math.exp(-z * z + poly);
    return x >= 0 ? 1.0 - 0.5 * erfc : 0.5 * erfc;
  }

  function stockout_risk(stock, demand, sigma, days, lead_sd) {
    if (stock <= 0) return 1.0;
    var spread = Math.sqrt(days * sigma * sigma + lead_sd * lead_sd);
    if (spread <= 0) return demand > stock ? 1.0 : 0.0;
    var risk = 1.0 - normal_cdf((stock + 0.5 - demand) / spread);
    return Math.floor(risk * 1000 + 0.5) / 1000;
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
    if (spikes) notes.push(_days(spikes) + ' of spikes capped at ' + _fmt(cap, 1));
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

  /** forecast(rate, history, {share, daily_sd, horizon, profile, as_of, windows, weights,
   * history_days, note}): the keyword arguments of the Python function as one object. */
  function forecast(rate, history, options) {
    var o = Object.assign(
      {
        share: null,
        daily_sd: 0.0,
        horizon: 365,
        profile: null,
        as_of: null,
        windows: [7, 30, 90],
        weights: [0.5, 0.3, 0.2],
        history_days: null,
        note: '',
      },
      options || {},
    );
    var notes = o.note ? [o.note] : [];
    var level = rate;
    var model = 'velocity';
    var launch = !isNone(o.history_days) && o.history_days < Math.max.apply(null, o.windows);
    if (launch && history.units.length >= 3) {
      var lu = history.units[0] + history.units[1];
      var ln = history.days[0] + history.days[1];
      if (ln >= 7 && lu / ln > level) {
        level = lu / ln;
        model = 'launch';
        notes.unshift('launch ramping: last 2 weeks ' + _fmt(level, 1) + '/day');
      }
    }
    var slow = _slow_rate(history, o.share);
    if (slow !== null) {
      level = slow[0];
      model = 'slow mover';
      notes.unshift(
        'slow mover: TSB ' + _fmt(level, 2) + '/day over ' + slow[1] + ' in-stock days',
      );
    }
    var blocks = [];
    var season = null;
    if (history.units.length >= YEAR_WEEKS + 4 && level > 0) {
      season = _season(history, o.horizon, o.windows, o.weights, o.profile, o.as_of);
    }
    if (season !== null) {
      blocks = season[0];
      model = model === 'velocity' ? 'season' : model + ' + season';
      var when = _day_text(o.as_of, season[2]);
      notes.unshift(
        'season ×' + _fmt(season[1], 1) + ' ' + when + '(last year, ' + season[3] +
          ' in-stock days)',
      );
    } else if (!isNone(o.profile) && !isNone(o.as_of) && level > 0) {
      blocks = _profile_blocks(o.profile, o.as_of, o.horizon, o.windows, o.weights);
      if (blocks.length) {
        var peak = _peak(blocks);
        model = model === 'velocity' ? 'profile' : model + ' + profile';
        notes.unshift(
          ('profile ×' + _fmt(peak[0], 1) + ' ' + _day_text(o.as_of, peak[1])).replace(
            /\s+$/,
            '',
          ),
        );
      }
    }
    if (season === null && slow === null && !blocks.length) {
      var trend = _trend(history, o.daily_sd, o.horizon);
      if (trend !== null) {
        level = trend[0];
        blocks = blocks.concat(trend[1]);
        if (trend[1].length) {
          model = model === 'velocity' ? 'trend' : model + ' + trend';
          var sign = trend[2] >= 0 ? '+' : '';
          notes.unshift('trend ' + sign + _fmt(trend[2] * 7, 2) + '/day a week, damped');
        } else {
          model = model === 'velocity' ? 'new level' : model + ' + new level';
          notes.unshift('new level ' + _fmt(level, 1) + '/day in the last weeks');
        }
      }
    }
    if (model !== 'velocity' && launch) notes.push(o.history_days + ' days of history');
    return Forecast(level, blocks, model, notes.join(' · '), o.daily_sd);
  }

  function _slow_rate(history, share) {
    if (isNone(share) || share >= SLOW_SHARE) return null;
    var wu = history.units;
    var wd = history.days;
    var demands = [];
    var days = 0;
    for (var k = Math.min(wu.length, YEAR_WEEKS) - 1; k >= 0; k--) {
      if (wd[k] >= 4) {
        demands.push((wu[k] * 7.0) / wd[k]);
        days += wd[k];
      }
    }
    var sizes = demands.filter(function (d) {
      return d > 0;
    });
    if (demands.length < 8 || sizes.length < 2) return null;
    var total = 0.0;
    sizes.forEach(function (d) {
      total += d;
    });
    var size = total / sizes.length;
    var chance = sizes.length / demands.length;
    demands.forEach(function (d) {
      if (d > 0) {
        chance += TSB_ALPHA * (1.0 - chance);
        size += TSB_ALPHA * (d - size);
      } else {
        chance += TSB_ALPHA * (0.0 - chance);
      }
    });
    return [(chance * size) / 7.0, days];
  }

  function _season(history, horizon, windows, weights, profile, as_of) {
    var wu = history.units;
    var wd = history.days;
    var nweeks = wu.length;
    var total = 0.0;
    var days = 0;
    var k;
    for (k = 0; k < YEAR_WEEKS; k++) {
      total += wu[k];
      days += wd[k];
    }
    if (days < 180 || total <= 0) return null;
    var mean = total / days;
    var chi = 0.0;
    var months = 0;
    for (var m = 0; m < 13; m++) {
      var mu = 0.0;
      var mn = 0;
      for (k = 4 * m; k < 4 * m + 4; k++) {
        mu += wu[k];
        mn += wd[k];
      }
      if (mn >= 7) {
        var expected = mean * mn;
        chi += ((mu - expected) * (mu - expected)) / expected;
        months += 1;
      }
    }
    if (months < 6) return null;
    var within = 0.0;
    var count = 0;
    for (k = 0; k < YEAR_WEEKS; k++) {
      var pair = k ^ 1;
      if (wd[k] >= 5 && wd[pair] >= 5) {
        var diff = wu[k] / wd[k] - wu[pair] / wd[pair];
        within += (diff * diff * wd[k]) / 2.0;
        count += 1;
      }
    }
    var dispersion = count ? Math.max(1.0, within / count / mean) : 1.0;
    if (chi / dispersion < (SEASON_GATE * months) / 13.0) return null;
    var ref = 0.0;
    var ref_weight = 0.0;
    var ref_units = 0.0;
    for (var w_i = 0; w_i < windows.length; w_i++) {
      var nw = Math.max(1, Math.floor((Math.trunc(windows[w_i]) + 3) / 7));
      var ru = 0.0;
      var rn = 0;
      for (k = YEAR_WEEKS; k < Math.min(nweeks, YEAR_WEEKS + nw); k++) {
        ru += wu[k];
        rn += wd[k];
      }
      if (rn > 0) {
        ref += weights[w_i] * (ru / rn);
        ref_weight += weights[w_i];
        ref_units = Math.max(ref_units, ru);
      }
    }
    if (ref_weight <= 0 || ref <= 0) return null;
    ref = ref / ref_weight;
    var prior = null;
    if (!isNone(profile) && !isNone(as_of)) {
      prior = _profile_factors(profile, as_of, horizon, windows, weights);
    }
    var blocks = [];
    var peak = 1.0;
    var peak_day = 0;
    var ref_weight_units = ref_units / (ref_units + SEASON_EVIDENCE);
    var nblocks = Math.floor((horizon + 6) / 7);
    for (var b = 0; b < nblocks; b++) {
      var centre = YEAR_WEEKS - 1 - (b % YEAR_WEEKS);
      var rates = [];
      var u = 0.0;
      var n = 0;
      [centre - 1, centre, centre + 1].forEach(function (j) {
        if (j >= 0 && j < nweeks && wd[j] >= 3) {
          rates.push(wu[j] / wd[j]);
          u += wu[j];
          n += wd[j];
        }
      });
      var target = prior === null ? 1.0 : prior[b];
      var factor = target;
      if (rates.length >= 2) {
        rates.sort(function (x, y) {
          return x - y;
        });
        var typical = rates.length === 3 ? rates[1] : (rates[0] + rates[1]) / 2.0;
        var raw = typical / ref;
        var w = u / (u + SEASON_EVIDENCE);
        if (ref_weight_units < w) w = ref_weight_units;
        factor = target + w * (raw - target);
      }
      if (factor !== 1.0) blocks.push([7 * b, Math.min(horizon - 1, 7 * b + 6), factor]);
      if (factor > peak) {
        peak = factor;
        peak_day = 7 * b;
      }
    }
    return [blocks, peak, peak_day, days];
  }

  function _trend(history, daily_sd, horizon) {
    var wu = history.units;
    var wd = history.days;
    var nweeks = wu.length;
    var recent;
    var prior;
    if (nweeks >= 12) {
      recent = 4;
      prior = 8;
    } else if (nweeks >= 4) {
      recent = 2;
      prior = Math.min(4, nweeks - 2);
    } else {
      return null;
    }
    var ur = 0.0;
    var nr = 0;
    var k;
    for (k = 0; k < recent; k++) {
      ur += wu[k];
      nr += wd[k];
    }
    var up = 0.0;
    var np_ = 0;
    for (k = recent; k < recent + prior; k++) {
      up += wu[k];
      np_ += wd[k];
    }
    if (nr < 3 * recent || np_ < 3 * prior) return null;
    var mr = ur / nr;
    var mp = up / np_;
    var mean = (ur + up) / (nr + np_);
    if (mean <= 0) return null;
    var dispersion = Math.max(1.0, (daily_sd * daily_sd) / mean);
    var se = mr + mp > 0 ? Math.sqrt(dispersion * (mr / nr + mp / np_)) : 0.0;
    var change = mr - mp;
    if (
      Math.abs(change) <= TREND_SIGMAS * se ||
      Math.abs(change) <= TREND_SHARE * Math.max(mr, mp) ||
      mr <= 0
    ) {
      return null;
    }
    var half = Math.floor(recent / 2);
    var newer = 0.0;
    var newer_days = 0;
    for (k = 0; k < half; k++) {
      newer += wu[k];
      newer_days += wd[k];
    }
    var older = ur - newer;
    var older_days = nr - newer_days;
    if (newer_days === 0 || older_days === 0 || (newer / newer_days - older / older_days) * change <= 0) {
      return [mr, [], 0.0];
    }
    var slope = change / (3.5 * (recent + prior));
    var power = 1.0;
    var damped = 3.5 * recent;
    var i;
    for (i = 0; i < 3; i++) {
      power *= TREND_DAMPING;
      damped += power;
    }
    var blocks = [];
    var nblocks = Math.floor((horizon + 6) / 7);
    for (var b = 0; b < nblocks; b++) {
      var level = mr + slope * damped;
      if (level < 0.3 * mr) level = 0.3 * mr;
      blocks.push([7 * b, Math.min(horizon - 1, 7 * b + 6), level / mr]);
      for (i = 0; i < 7; i++) {
        power *= TREND_DAMPING;
        damped += power;
      }
    }
    return [mr, blocks, slope];
  }

  function dayNumber(iso) {
    return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS;
  }

  function monthOf(iso, days) {
    return new Date((dayNumber(iso) + days) * DAY_MS).getUTCMonth();
  }

  function _profile_factors(profile, as_of, horizon, windows, weights) {
    var ref = 0.0;
    var ref_weight = 0.0;
    for (var i = 0; i < windows.length; i++) {
      var k_days = Math.trunc(windows[i]);
      var total = 0.0;
      for (var d = 1; d <= k_days; d++) total += profile[monthOf(as_of, -d)];
      ref += weights[i] * (total / k_days);
      ref_weight += weights[i];
    }
    ref = ref / ref_weight;
    var out = [];
    var nblocks = Math.floor((horizon + 6) / 7);
    for (var b = 0; b < nblocks; b++) out.push(profile[monthOf(as_of, 7 * b + 3)] / ref);
    return out;
  }

  function _profile_blocks(profile, as_of, horizon, windows, weights) {
    var blocks = [];
    _profile_factors(profile, as_of, horizon, windows, weights).forEach(function (f, b) {
      if (f !== 1.0) blocks.push([7 * b, Math.min(horizon - 1, 7 * b + 6), f]);
    });
    return blocks;
  }

  function _peak(blocks) {
    var peak = 1.0;
    var day = 0;
    blocks.forEach(function (block) {
      if (block[2] > peak) {
        peak = block[2];
        day = block[0];
      }
    });
    return [peak, day];
  }

  function _day_text(as_of, day) {
    if (isNone(as_of)) return 'from day ' + day + ' ';
    var when = new Date((dayNumber(as_of) + day) * DAY_MS);
    return 'from ' + MONTHS[when.getUTCMonth()] + ' ' + when.getUTCDate() + ' ';
  }

  function _days(n) {
    return n === 1 ? '1 day' : n + ' days';
  }

  function _fmt(x, digits) {
    var scale = Math.pow(10, digits);
    return (Math.floor(x * scale + 0.5) / scale).toFixed(digits);
  }

  return {
    WEEKS: WEEKS,
    PROFILES: PROFILES,
    ProfileError: ProfileError,
    parse_profile: parse_profile,
    listed_before: listed_before,
    Weekly: Weekly,
    weekly: weekly,
    Forecast: Forecast,
    daily: daily,
    mean_rate: mean_rate,
    normal_cdf: normal_cdf,
    stockout_risk: stockout_risk,
    clean: clean,
    sale_share: sale_share,
    forecast: forecast,
  };
})();
