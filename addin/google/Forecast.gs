/**
 * The demand forecast f_t for Google Sheets: a line-by-line port of addin/forecast.py.
 *
 * forecast.py is the source of truth (its docstrings say why each rule is there); this file
 * mirrors it with the same floating-point operations in the same order, so the shared vectors
 * in tests/vectors agree to the last digit. The history's cleaning and weeks are in
 * DemandHistory.gs, the season in Season.gs. Dates are "YYYY-MM-DD" text; a Forecast is
 * {rate, blocks: [[first day, last day, factor], ...], model, basis, sigma}.
 * Everything lives in one `DemandForecast` object so none of it shows up as a sheet function.
 */
var DemandForecast = (function () {
  'use strict';

  var TREND_SIGMAS = 3.0;
  var TREND_SHARE = 0.2;
  var TREND_DAMPING = 0.97;
  var SLOW_SHARE = 0.5;
  var TSB_ALPHA = 0.1;

  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  var DAY_MS = 86400000;

  function isNone(value) {
    return value === null || value === undefined;
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
        notes.unshift('launch ramping: last 2 weeks ' + Formulas.fmt_number(level, 1) + '/day');
      }
    }
    var slow = _slow_rate(history, o.share);
    if (slow !== null) {
      level = slow[0];
      model = 'slow mover';
      notes.unshift(
        'slow mover: TSB ' + Formulas.fmt_number(level, 2) + '/day over ' + slow[1] + ' in-stock days',
      );
    }
    var blocks = [];
    var season = null;
    if (history.units.length >= ForecastSeason.YEAR_WEEKS + 4 && level > 0) {
      season = ForecastSeason.last_year(history, o.horizon, o.windows, o.weights, o.profile, o.as_of);
    }
    if (season !== null) {
      blocks = season[0];
      model = model === 'velocity' ? 'season' : model + ' + season';
      var when = _day_text(o.as_of, season[2]);
      notes.unshift(
        'season ×' + Formulas.fmt_number(season[1], 1) + ' ' + when + '(last year, ' + season[3] +
          ' in-stock days)',
      );
    } else if (!isNone(o.profile) && !isNone(o.as_of) && level > 0) {
      blocks = ForecastSeason.profile_blocks(o.profile, o.as_of, o.horizon, o.windows, o.weights);
      if (blocks.length) {
        var peak = _peak(blocks);
        model = model === 'velocity' ? 'profile' : model + ' + profile';
        notes.unshift(
          ('profile ×' + Formulas.fmt_number(peak[0], 1) + ' ' + _day_text(o.as_of, peak[1])).replace(
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
          notes.unshift('trend ' + sign + Formulas.fmt_number(trend[2] * 7, 2) + '/day a week, damped');
        } else {
          model = model === 'velocity' ? 'new level' : model + ' + new level';
          notes.unshift('new level ' + Formulas.fmt_number(level, 1) + '/day in the last weeks');
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
    for (var k = Math.min(wu.length, ForecastSeason.YEAR_WEEKS) - 1; k >= 0; k--) {
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
    var when = new Date((ForecastSeason.dayNumber(as_of) + day) * DAY_MS);
    return 'from ' + MONTHS[when.getUTCMonth()] + ' ' + when.getUTCDate() + ' ';
  }

  return {
    Forecast: Forecast,
    daily: daily,
    mean_rate: mean_rate,
    normal_cdf: normal_cdf,
    stockout_risk: stockout_risk,
    forecast: forecast,
  };
})();
