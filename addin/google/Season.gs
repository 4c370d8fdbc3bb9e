/**
 * Seasonality for Google Sheets: last year's weeks weighed by their evidence, and the seller's
 * profiles. A line-by-line port of addin/season.py (its docstrings say why), with the same
 * floating-point operations in the same order so the shared vectors agree to the last digit.
 * Dates are "YYYY-MM-DD" text; a season is multiplier blocks [[first day, last day, factor]].
 */
var ForecastSeason = (function () {
  'use strict';

  var YEAR_WEEKS = 52;
  var SEASON_EVIDENCE = 60.0;
  var SEASON_GATE = 32.9;

  var PROFILES = {
    q4: [0.8, 0.75, 0.8, 0.85, 0.9, 0.9, 1.0, 0.95, 0.95, 1.1, 1.8, 2.2],
    summer: [0.6, 0.6, 0.8, 1.0, 1.3, 1.6, 1.7, 1.4, 1.0, 0.7, 0.6, 0.7],
    winter: [1.6, 1.3, 1.0, 0.7, 0.6, 0.5, 0.5, 0.6, 0.8, 1.1, 1.5, 1.8],
  };

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
          Reading.py_repr(text.slice(0, 40)),
      );
    }
    return numbers;
  }

  function last_year(history, horizon, windows, weights, profile, as_of) {
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
      prior = profile_factors(profile, as_of, horizon, windows, weights);
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

  function dayNumber(iso) {
    return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS;
  }

  function monthOf(iso, days) {
    return new Date((dayNumber(iso) + days) * DAY_MS).getUTCMonth();
  }

  function profile_factors(profile, as_of, horizon, windows, weights) {
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

  function profile_blocks(profile, as_of, horizon, windows, weights) {
    var blocks = [];
    profile_factors(profile, as_of, horizon, windows, weights).forEach(function (f, b) {
      if (f !== 1.0) blocks.push([7 * b, Math.min(horizon - 1, 7 * b + 6), f]);
    });
    return blocks;
  }

  var CATEGORY_PREFIX = 'season';

  function category_key(text) {
    return isNone(text) ? '' : String(text).replace(/[\s\-_*.]+/g, '').toLowerCase();
  }

  /** [profiles by category_key, [[key, value, reason], ...]] from Settings `season_<category>`. */
  function category_profiles(settings) {
    var profiles = {};
    var bad = [];
    Object.keys(settings).forEach(function (key) {
      var name = category_key(key);
      if (name.indexOf(CATEGORY_PREFIX) !== 0 || name === CATEGORY_PREFIX) return;
      var profile;
      try {
        profile = parse_profile(settings[key]);
      } catch (err) {
        if (!(err instanceof ProfileError)) throw err;
        bad.push([String(key), settings[key], key + ': ' + err.message]);
        return;
      }
      if (profile !== null) profiles[name.slice(CATEGORY_PREFIX.length)] = profile;
    });
    return [profiles, bad];
  }

  function sku_profile(own, category, profiles) {
    if (own !== null || isNone(category)) return own;
    var found = profiles[category_key(category)];
    return found === undefined ? null : found;
  }

  return {
    YEAR_WEEKS: YEAR_WEEKS,
    PROFILES: PROFILES,
    ProfileError: ProfileError,
    parse_profile: parse_profile,
    last_year: last_year,
    profile_factors: profile_factors,
    profile_blocks: profile_blocks,
    dayNumber: dayNumber,
    category_key: category_key,
    category_profiles: category_profiles,
    sku_profile: sku_profile,
  };
})();
