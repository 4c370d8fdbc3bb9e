/**
 * What to do about one SKU: a line-by-line port of addin/decisions.py (SPEC §3 v2).
 *
 * plan_sku reads like an operator's checklist: velocity, lead times, the gap, whether an order
 * placed today can still prevent a dip, and every priced way to bridge a gap an order cannot
 * reach. Same names, same floating-point operations in the same order as the Python, so the
 * shared vectors (tests/vectors/plan_sku_vector.json) agree to the last digit. Python
 * dataclasses are plain objects here; the math's basics come from Formulas (Formulas.gs), read
 * when a function runs, since Apps Script loads files in no promised order.
 */
var Decisions = (function () {
  'use strict';

  /** decisions.MIN_HISTORY_DAYS: days of sales history an order is sized on (SHORT HISTORY). */
  var MIN_HISTORY_DAYS = 14;
  var AGED_SURCHARGE_DAYS = 181;
  /** addin/fee_rule.py: the low-inventory fee's long window and its exemption line. */
  var FEE_LONG_DAYS = 90;
  var FEE_EXEMPT_BELOW_UNITS_PER_WEEK = 20;
  var RELAUNCH_COUPON_DAYS = 7;
  var TRAFFIC_HINT = 'import the Business Report to have it tracked';
  var SHIP_DAYS = 3;

  var SKU_INPUT_DEFAULTS = {
    in_stock: null,
    inbound: [],
    promotions: [],
    fbm_stock: 0,
    price: null,
    unit_cost: null,
    unit_weight: null,
    case_pack: null,
    moq: null,
    production_days: null,
    sea_days: null,
    air_days: null,
    express_days: null,
    receiving_days: null,
    days_since_restock: null,
    elsewhere: [],
    season: null,
    weeks: null,
    fee_exempt: null,
  };

  /** SkuInput(**fields): available and units are required, the rest default as in Python. */
  function SkuInput(fields) {
    if (Formulas.isNone(fields) || !('available' in fields) || !('units' in fields)) {
      throw new TypeError('SkuInput needs available and units');
    }
    var item = Object.assign({}, SKU_INPUT_DEFAULTS, fields);
    item.inbound = item.inbound.map(Supply.Inbound);
    item.elsewhere = item.elsewhere.map(Supply.Elsewhere);
    return item;
  }

  // --- the steps ------------------------------------------------------------------------------

  function forecast_demand(item, rate, settings) {
    var horizon = Math.trunc(settings.horizon_days);
    if (typeof rate === 'number') return Formulas.demand_sequence(rate, horizon, item.promotions);
    if (!rate.blocks.length) return Formulas.demand_sequence(rate.rate, horizon, item.promotions);
    return Formulas.demand_sequence(rate.rate, horizon, rate.blocks.concat(item.promotions));
  }

  function projection_of(item, rate, settings) {
    var landings = item.inbound.map(function (b) {
      return [b.day, b.qty];
    });
    return Formulas.project(Formulas.pyMax(0.0, item.available), forecast_demand(item, rate, settings), landings);
  }

  function flags_for(item, settings, vel, gap, order, leads, cover_all, stock, relaunch, is_short) {
    var flags = is_short ? [Formulas.SHORT_HISTORY] : [];
    if (order.by_day !== null && order.by_day <= 0 && order.qty > 0) flags.push(Formulas.REORDER_NOW);
    if (gap.stockout_day !== null && gap.stockout_day < leads.regular) flags.push(Formulas.LEAD_TIME_RISK);
    if (cover_all !== null && cover_all < settings.fee_line_days && !exempt_from_fee(item)) {
      flags.push(Formulas.FEE_RISK);
    }
    if ((cover_all === null && stock > 0) || (cover_all !== null && cover_all > settings.overstock_days)) {
      flags.push(Formulas.OVERSTOCK);
    }
    if (vel.rate === 0 && stock > 0 && !is_short) flags.push(Formulas.NO_SALES);
    if (_overdue(item)) flags.push(Formulas.INBOUND_OVERDUE);
    if (vel.trend !== null && vel.trend > 1.2) flags.push(Formulas.TREND_UP);
    if (relaunch) flags.push(Formulas.RELAUNCH);
    return flags;
  }

  /** Whether Amazon's low-inventory fee cannot apply: decisions.exempt_from_fee, fee_rule.ships_too_few. */
  function exempt_from_fee(item) {
    if (typeof item.fee_exempt === 'string' && item.fee_exempt.trim()) return true;
    var recent = item.units.slice(-FEE_LONG_DAYS);
    var total = 0;
    recent.forEach(function (u) {
      total += u;
    });
    return (7 * total) / Math.max(recent.length, 1) < FEE_EXEMPT_BELOW_UNITS_PER_WEEK;
  }

  /** What to do with stock that does not sell (decisions.no_sales_words). */
  function no_sales_words(item, available, inbound) {
    var days = 0;
    for (var i = item.units.length - 1; i >= 0; i--) {
      if (item.units[i] > 0 && !(item.in_stock && item.in_stock[i] === false)) break;
      days += 1;
    }
    var held = Formulas.withCommas(String(Formulas.round_to(available, 0))) + ' units at FBA';
    if (inbound > 0) held += ' and ' + Formulas.withCommas(String(Formulas.round_to(inbound, 0))) + ' inbound';
    return (
      'none sold in the last ' + days + ' days, ' + held + ': check the listing is buyable ' +
      '(suppressed? Buy Box? price?); if it is, cut the price, or remove or liquidate it ' +
      "before Amazon's aged-inventory surcharge (" + AGED_SURCHARGE_DAYS + '+ days)'
    );
  }

  /** What a seller with too little sales history does (decisions.short_history_words). */
  function short_history_words(item, rate, gap, leads, mode, as_of) {
    var days = item.units.length;
    var outlook;
    if (item.available <= 0) {
      outlook = 'out of stock now: restock';
    } else if (rate === 0) {
      outlook = 'none sold yet';
    } else if (gap.stockout_day === null) {
      outlook = 'at ' + Formulas.fmt_number(rate) + ' a day the stock lasts the horizon';
    } else {
      outlook = 'at ' + Formulas.fmt_number(rate) + ' a day it runs out ' + Formulas.add_days(as_of, gap.stockout_day);
      if (gap.stockout_day < leads.regular) {
        outlook += ', before a ' + mode + ' order placed today lands ' + Formulas.add_days(as_of, leads.regular);
      }
    }
    return (
      days + ' day' + (days === 1 ? '' : 's') + ' of sales, too few to size an order (' + MIN_HISTORY_DAYS +
      " needed): add the earlier days to Sales or import Amazon's reports; " + outlook +
      '; no order drafted until then'
    );
  }

  function _overdue(item) {
    return item.inbound.some(function (b) {
      return b.day < 0 && b.qty > 0;
    });
  }

  /** decisions._total: the sum of the combined action's costs or margins; null if one is. */
  function _total(options, key) {
    var total = 0.0;
    for (var i = 0; i < options.length; i++) {
      if (options[i][key] === null) return null;
      total += options[i][key];
    }
    return total;
  }

  /** [best action, further things to do, alternatives to the best] (decisions.split_choices). */
  function split_choices(choices) {
    var todo = [
      Formulas.REORDER_NOW,
      Formulas.REORDER_SOON,
      Formulas.CHASE_INBOUND,
      Formulas.RELAUNCH,
      Formulas.NO_SALES,
    ];
    var ways = choices.filter(function (c) {
      return todo.indexOf(c[0]) < 0;
    });
    var does = choices.filter(function (c) {
      return todo.indexOf(c[0]) >= 0;
    });
    if (ways.length) return [ways[0], does, ways.slice(1)];
    if (does.length) return [does[0], does.slice(1), []];
    return [[Formulas.OK, 'no action needed'], [], []];
  }

  function overdue_batch(item) {
    var late = null;
    item.inbound.forEach(function (b) {
      if (b.day < 0 && b.qty > 0 && (late === null || b.day < late.day)) late = b;
    });
    return late;
  }

  function chase_words(batch, as_of) {
    var name = batch.shipment_id ? 'shipment ' + batch.shipment_id : 'the batch';
    var status = batch.status ? ', ' + batch.status : '';
    return (
      name + ' (' + Formulas.withCommas(String(Formulas.round_to(batch.qty, 0))) + ' units' + status +
      ') was due ' + Formulas.add_days(as_of, batch.day) + ', ' + -batch.day +
      ' days ago: ask the carrier where it is, or Seller Support if it was delivered; the plan ' +
      'counts it as sellable today'
    );
  }

  function _restock(item, vel, available, settings) {
    var last_out = null;
    for (var i = vel.out_of_stock.length - 1; i >= 0; i--) {
      if (vel.out_of_stock[i]) {
        last_out = i - vel.out_of_stock.length;
        break;
      }
    }
    var restocked = item.days_since_restock;
    if (Formulas.isNone(restocked)) restocked = null;
    if (restocked === null && last_out !== null && available > 0) restocked = -last_out - 1;
    var relaunch = restocked !== null && available > 0 && restocked <= settings.relaunch_days;
    return [last_out, restocked, relaunch];
  }

  function plan_sku(item, settings, as_of) {
    item = SkuInput(item);
    var s = Formulas.Settings(settings);
    as_of = Formulas.to_date(as_of, 'as_of');
    var vel = Formulas.velocity(item.units, item.in_stock, s.velocity_windows, s.velocity_weights, item.available);
    var leads = Supply.lead_times(item, s);
    var available = Formulas.pyMax(0.0, item.available);
    var inbound_total = 0.0;
    item.inbound.forEach(function (batch) {
      inbound_total += Formulas.pyMax(0.0, batch.qty);
    });
    var restock = _restock(item, vel, available, s);
    var last_out = restock[0];
    var restocked = restock[1];
    var relaunch = restock[2];
    var plan = {
      basis: vel.basis,
      daily_sd: vel.daily_sd,
      trend: vel.trend,
      inbound: inbound_total,
      lead_time: leads.regular,
      air_lead_time: leads.air,
      express_lead_time: leads.express,
      air_arrival_day: Supply.air_arrival(item, leads, s.default_mode),
      last_out_of_stock_day: last_out,
      forecast: null,
      forecast_rate: null,
      stockout_risk: null,
      daily_sales: null,
      days_of_cover: null,
      cover_incl_inbound: null,
      stockout_day: null,
      next_inbound_day: null,
      back_in_stock_day: null,
      gap_days: null,
      lost_units: 0,
      lost_revenue: null,
      safety_stock: null,
      reorder_point: null,
      reorder_by_day: null,
      reorder_qty: 0,
      air_units: 0,
      option_cost: null,
      margin_saved: null,
      flags: [],
      alternatives: [],
      options: [],
      combined: [],
    };
    var v = vel.rate;
    if (v === null) {
      plan.alert = Formulas.alert_for(null, item.available, s.warn_days, false);
      plan.flags = _overdue(item) ? [Formulas.INBOUND_OVERDUE] : [];
      if (plan.alert === Formulas.OUT) {
        plan.action = Formulas.PAUSE_AND_NOTIFY;
        plan.action_text = 'Out of stock with no sales history: restock or mark the SKU inactive.';
      } else {
        plan.action = Formulas.OK;
        plan.action_text = 'No sales history to plan from: add Sales rows or import Amazon reports.';
      }
      return plan;
    }
    var fc = Formulas.demand_forecast_of(
      item.units,
      vel,
      s.velocity_windows,
      s.velocity_weights,
      Math.trunc(s.horizon_days),
      as_of,
      item.season,
      item.weeks,
    );
    if (fc === null) fc = DemandForecast.Forecast(v, [], null, null, vel.daily_sd);
    var lead = leads.regular;
    var proj = projection_of(item, fc, s);
    var cover_all = v > 0 ? (available + inbound_total) / v : null;
    var gap = Formulas.find_gap(proj, lead);
    var base = !fc.blocks.length ? fc.rate : DemandForecast.mean_rate(fc, lead);
    var ss = Formulas.safety_stock_units(
      base,
      fc.sigma,
      lead,
      s.service_level,
      s.lead_time_sd_days,
      s.safety_days,
    );
    var landing = lead;
    for (var li = 0; li < proj.landings.length; li++) {
      if (proj.landings[li] > 0) {
        landing = proj.landings[li];
        break;
      }
    }
    var risk = DemandForecast.stockout_risk(
      available + (proj.arrivals.has(0) ? proj.arrivals.get(0) : 0.0),
      proj.demand(0, landing),
      fc.sigma,
      landing,
      base * s.lead_time_sd_days,
    );
    var is_short = item.units.length < MIN_HISTORY_DAYS;
    var order = Formulas.find_reorder(proj, leads.regular, ss, s.cover_target_days, item.case_pack, item.moq);
    if (is_short) {
      // the risk shows (alert, stockout date); no order is sized on a few days
      order = {dip_day: null, by_day: null, qty: 0};
      relaunch = false;
    }
    var late = overdue_batch(item);
    // at least WATCH if it runs out before an order lands, one is due, or stock the plan counts on is overdue
    var alert = Formulas.alert_for(gap.stockout_day, item.available, s.warn_days, true, leads.regular, order.qty > 0 ? order.by_day : null, late !== null);
    var options = gap.days > 0 ? Supply.emergency_options(item, s, proj, gap, leads, as_of) : [];
    if (is_short) options = [];
    var first = options.length ? options[0] : null;
    var extras = first !== null ? Supply.combined_options(item, s, proj, gap, leads, as_of, first) : [];
    var rivals = options.slice(1).filter(function (o) {
      return !extras.some(function (e) {
        return e.action === o.action && e.source === o.source;
      });
    });
    var choices = options.slice(0, 1).concat(rivals).map(function (o) {
      return [o.action, o.why];
    });
    if (is_short) choices.push([Formulas.SHORT_HISTORY, short_history_words(item, v, gap, leads, s.default_mode, as_of)]);
    if (order.by_day !== null && order.by_day <= 0 && order.qty > 0) {
      choices.push([
        Formulas.REORDER_NOW,
        'order ' + Formulas.withCommas(String(order.qty)) + ' units by ' + s.default_mode + ' today, arrive ' +
          Formulas.add_days(as_of, leads.regular),
      ]);
    } else if (order.by_day !== null && order.by_day <= Formulas.REORDER_SOON_DAYS && order.qty > 0) {
      choices.push([
        Formulas.REORDER_SOON,
        'order ' + Formulas.withCommas(String(order.qty)) + ' units by ' + Formulas.add_days(as_of, order.by_day),
      ]);
    }
    if (late !== null) choices.push([Formulas.CHASE_INBOUND, chase_words(late, as_of)]);
    if (relaunch) {
      choices.push([
        Formulas.RELAUNCH,
        'back in stock ' + restocked + ' days: ' + Formulas.fmt_number(s.coupon_pct, 0) + ' % coupon for ' +
          RELAUNCH_COUPON_DAYS + ' days, ad budget +' + Formulas.fmt_number(s.ad_boost_pct, 0) +
          ' %, watch conversion (' + TRAFFIC_HINT + ')',
      ]);
    }
    if (v === 0 && available + inbound_total > 0 && !is_short) {
      choices.push([Formulas.NO_SALES, no_sales_words(item, available, inbound_total)]);
    }
    var split = split_choices(choices);
    var best = split[0];
    var others = split[2];
    var text = best[0] + ': ' + best[1];
    extras
      .map(function (o) {
        return [o.action, o.why];
      })
      .concat(split[1])
      .forEach(function (c) {
        text += ' · and ' + c[0] + ': ' + c[1];
      });
    if (others.length) {
      text +=
        ' · also ' +
        others
          .map(function (c) {
            return c[0] + ': ' + c[1];
          })
          .join(' · ');
    }
    var done = first !== null ? [first].concat(extras) : [];
    var air = null;
    [done, options].forEach(function (list) {
      for (var i = 0; i < list.length && air === null; i++) {
        if (list[i].action === Formulas.EXPEDITE_BY_AIR || list[i].action === Formulas.EXPEDITE_BY_EXPRESS) {
          air = list[i];
        }
      }
    });
    plan.daily_sales = v;
    plan.days_of_cover = v > 0 ? available / v : null;
    plan.cover_incl_inbound = cover_all;
    plan.stockout_day = gap.stockout_day;
    plan.next_inbound_day = gap.next_landing;
    plan.back_in_stock_day = gap.next_landing;
    plan.gap_days = gap.stockout_day !== null ? gap.days : null;
    plan.lost_units = gap.lost_units;
    plan.lost_revenue = !Formulas.isNone(item.price) ? gap.lost_units * item.price : null;
    plan.safety_stock = ss;
    plan.reorder_point = Formulas.ceil_eps(base * lead + ss);
    plan.reorder_by_day = order.by_day;
    plan.reorder_qty = order.qty;
    plan.air_units = air !== null ? air.units : 0;
    plan.option_cost = done.length ? _total(done, 'cost') : null;
    plan.margin_saved = done.length ? _total(done, 'margin') : null;
    plan.alert = alert;
    plan.flags = flags_for(item, s, vel, gap, order, leads, cover_all, available + inbound_total, relaunch, is_short);
    plan.action = best[0];
    plan.alternatives = others.map(function (c) {
      return c[0];
    });
    plan.action_text = text;
    plan.options = options;
    plan.combined = extras;
    plan.basis = fc.basis ? fc.basis + ' · ' + vel.basis : vel.basis;
    plan.forecast = fc;
    plan.forecast_rate =
      lead > 0 && (fc.blocks.length || item.promotions.length) ? proj.demand(0, lead) / lead : base;
    plan.stockout_risk = risk;
    return plan;
  }

  /** An action text as the workbook shows it: the delay notes only where Drafts has some (decisions.delay_notes). */
  function delay_notes(text, noted) {
    return noted || text === null || text === undefined ? text : text.split(Supply.DELAY_NOTES).join('');
  }

  /** The vector form of plan_sku (tests/addin/test_formulas.py): plain objects in. */
  function plan_sku_vector(item, settings, as_of) {
    return plan_sku(SkuInput(item), Formulas.Settings(settings), Formulas.to_date(as_of, 'as_of'));
  }

  // --- after the plan: incidents, open orders, relaunch ----------------------------------------

  /** (first day out, first day back) of each out-of-stock run in the history. */
  function out_runs(item, as_of) {
    var out = Formulas.out_of_stock_days(item.units, item.in_stock, item.available);
    var n = out.length;
    var runs = [];
    var i = 0;
    while (i < n) {
      if (!out[i]) {
        i++;
        continue;
      }
      var j = i;
      while (j < n && out[j]) j++;
      var back = null;
      for (var k = j; k < n; k++) {
        if ((item.in_stock && item.in_stock[k] === true) || item.units[k] > 0) {
          back = k;
          break;
        }
      }
      var ended = back !== null ? Formulas.add_days(as_of, back - n) : item.available > 0 ? as_of : null;
      runs.push([Formulas.add_days(as_of, i - n), ended]);
      i = j;
    }
    return runs;
  }

  function incident_losses(rate, days_out, price) {
    if (Formulas.isNone(rate)) return [null, null];
    var units = Formulas.round_up_to_pack(rate * days_out, 1);
    return [units, !Formulas.isNone(price) ? units * price : null];
  }

  function coupon_price(price, coupon_pct) {
    return price ? Formulas.round_to(price * (1 - coupon_pct / 100), 2) : null;
  }

  function delayed_orders(item, proj, orders, fbm_enabled) {
    var maxDay = 0;
    orders.forEach(function (o) {
      maxDay = Math.max(maxDay, o[1]);
    });
    var stock = proj.daily_stock(Math.max(1, maxDay + 1));
    var firm = item.inbound
      .filter(function (b) {
        var stage = Supply.stage_of(b.status);
        return stage === Supply.SHIPPED || stage === Supply.RECEIVING;
      })
      .map(function (b) {
        return [b.day > 0 ? b.day : 0, b.qty];
      })
      .sort(function (a, b) {
        return a[0] - b[0] || a[1] - b[1];
      });
    var fbm = fbm_enabled ? item.fbm_stock : 0.0;
    var mcf_used = 0.0;
    var promised = firm.map(function () {
      return 0.0;
    });
    return orders.map(function (o) {
      var qty = o[0];
      var day = o[1];
      var take = Formulas.pyMin(fbm, qty);
      fbm -= take;
      var need = qty - take;
      var fba = day >= 0 ? stock[Math.max(0, day)] - mcf_used : item.available - mcf_used;
      if (need <= fba + 1e-9) {
        mcf_used += need;
        return false;
      }
      for (var i = 0; i < firm.length; i++) {
        if (firm[i][0] > Math.max(day, 0) && firm[i][1] - promised[i] >= need - 1e-9) {
          promised[i] += need;
          return firm[i][0] + SHIP_DAYS;
        }
      }
      return null;
    });
  }

  return {
    SHIP_DAYS: SHIP_DAYS,
    SkuInput: SkuInput,
    forecast_demand: forecast_demand,
    projection_of: projection_of,
    plan_sku: plan_sku,
    plan_sku_vector: plan_sku_vector,
    incident_losses: incident_losses,
    out_runs: out_runs,
    coupon_price: coupon_price,
    delayed_orders: delayed_orders,
    delay_notes: delay_notes,
  };
})();

