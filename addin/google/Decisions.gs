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

  var MAX_SLOW_DOWN = 0.3;
  var REORDER_SOON_DAYS = 7;
  var RELAUNCH_COUPON_DAYS = 7;
  var SHIP_DAYS = 3;
  var BIG_DAY = 1 << 30;

  var PLANNED = 'planned';
  var READY = 'ready';
  var SHIPPED = 'shipped';
  var RECEIVING = 'receiving';
  var CLOSED = 'closed';
  var STAGES = {
    planned: PLANNED, 'in production': PLANNED, production: PLANNED, '生产中': PLANNED,
    '计划': PLANNED, ready: READY, made: READY, '待发货': READY, '已完成': READY,
    '': SHIPPED, shipped: SHIPPED, 'in transit': SHIPPED, '已发货': SHIPPED, '运输中': SHIPPED,
    receiving: RECEIVING, 'checked in': RECEIVING, 'checked-in': RECEIVING,
    delivered: RECEIVING, '上架中': RECEIVING, closed: CLOSED, cancelled: CLOSED,
    canceled: CLOSED, received: CLOSED, deleted: CLOSED, done: CLOSED, '已完成入库': CLOSED,
    '已取消': CLOSED,
  };

  function stage_of(status) {
    var text = Formulas.isNone(status) ? '' : String(status).toLowerCase().split(/\s+/).filter(Boolean).join(' ');
    return Object.prototype.hasOwnProperty.call(STAGES, text) ? STAGES[text] : SHIPPED;
  }

  function Inbound(fields) {
    if (Array.isArray(fields)) {
      var names = ['day', 'qty', 'status', 'ready_day', 'mode', 'shipment_id'];
      var out = {};
      fields.forEach(function (value, i) {
        out[names[i]] = value;
      });
      fields = out;
    }
    return Object.assign({status: '', ready_day: null, mode: '', shipment_id: ''}, fields);
  }

  function Elsewhere(fields) {
    if (Array.isArray(fields)) {
      var names = ['location', 'qty', 'transfer_days', 'ships_fbm', 'cost_per_unit'];
      var out = {};
      fields.forEach(function (value, i) {
        out[names[i]] = value;
      });
      fields = out;
    }
    return Object.assign({transfer_days: null, ships_fbm: false, cost_per_unit: null}, fields);
  }

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
  };

  /** SkuInput(**fields): available and units are required, the rest default as in Python. */
  function SkuInput(fields) {
    if (Formulas.isNone(fields) || !('available' in fields) || !('units' in fields)) {
      throw new TypeError('SkuInput needs available and units');
    }
    var item = Object.assign({}, SKU_INPUT_DEFAULTS, fields);
    item.inbound = item.inbound.map(Inbound);
    item.elsewhere = item.elsewhere.map(Elsewhere);
    return item;
  }

  function Option(action, fields) {
    return Object.assign(
      {
        action: action,
        units: 0,
        day: null,
        cost: null,
        margin: null,
        source: '',
        batch_qty: null,
        status: '',
        why: '',
      },
      fields || {},
    );
  }

  function net(option) {
    if (option.cost === null || option.margin === null) return null;
    return option.margin - option.cost;
  }

  function commas(n) {
    return Formulas.withCommas(String(n));
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

  function lead_times(item, settings) {
    function own(value, fallback) {
      return !Formulas.isNone(value) ? value : fallback;
    }
    var production = own(item.production_days, settings.production_days);
    var receiving = own(item.receiving_days, settings.receiving_days);
    var transit = {
      sea: own(item.sea_days, settings.sea_days),
      air: own(item.air_days, settings.air_days),
      express: own(item.express_days, settings.express_days),
      transfer: 0.0,
    };
    var rush = own(settings.rush_production_days, production);
    var fallback = Object.prototype.hasOwnProperty.call(transit, settings.default_mode)
      ? transit[settings.default_mode]
      : transit.sea;
    return {
      regular: Formulas.lead_time(production, fallback, receiving),
      air: Formulas.lead_time(rush, transit.air, receiving),
      express: Formulas.lead_time(rush, transit.express, receiving),
      production: production,
      rush: rush,
      receiving: receiving,
      transit: transit,
    };
  }

  function batch_ready_day(batch, leads, default_mode) {
    var stage = stage_of(batch.status);
    if (stage === READY) return !Formulas.isNone(batch.ready_day) ? batch.ready_day : 0;
    if (stage !== PLANNED) return null;
    if (!Formulas.isNone(batch.ready_day)) return batch.ready_day;
    var mode = batch.mode || default_mode;
    var transit = Object.prototype.hasOwnProperty.call(leads.transit, mode) ? leads.transit[mode] : 0.0;
    return batch.day - Formulas.ceil_eps(transit + leads.receiving);
  }

  function mode_landing(ready, mode, leads) {
    return Math.max(ready, 0) + Formulas.ceil_eps(leads.transit[mode] + leads.receiving);
  }

  function air_arrival(item, leads, default_mode) {
    var best = leads.air;
    item.inbound.forEach(function (batch) {
      var ready = batch_ready_day(batch, leads, default_mode);
      if (ready !== null) best = Math.min(best, mode_landing(ready, 'air', leads));
    });
    return best;
  }

  function emergency_options(item, settings, proj, gap, leads, as_of) {
    var margin = null;
    if (!Formulas.isNone(item.price) && !Formulas.isNone(item.unit_cost)) margin = item.price - item.unit_cost;
    var options = _fbm_options(item, settings, proj, gap, as_of).concat(
      _transfer_options(item, proj, gap, as_of),
    );
    [
      ['air', Formulas.EXPEDITE_BY_AIR],
      ['express', Formulas.EXPEDITE_BY_EXPRESS],
    ].forEach(function (pair) {
      var found = _expedite_option(item, settings, proj, gap, leads, pair[0], pair[1], as_of);
      if (found !== null) options.push(found);
    });
    options.forEach(function (option) {
      var saved = Math.min(option.units, Formulas.ceil_eps(Formulas.shortfall(proj, gap, option.day || 0)));
      option.margin = margin !== null ? saved * margin : null;
      option.why += _price_words(option);
    });
    var slow = _slow_sales(item, proj, gap, as_of);
    if (slow !== null) {
      slow.margin = margin !== null ? 0.0 : null;
      slow.cost = margin !== null ? 0.0 : null;
      options.push(slow);
    }
    options.push(_pause(item, gap, as_of));
    return stableSort(options, function (option) {
      return _rank(option, margin !== null);
    });
  }

  function _rank(option, priced) {
    if (option.action === Formulas.PAUSE_AND_NOTIFY) return [priced ? 0 : 1, 0.0, BIG_DAY + 1];
    var n = net(option);
    var day = option.day !== null ? option.day : BIG_DAY;
    return n !== null ? [0, -n, day] : [1, 0.0, day];
  }

  function stableSort(values, key) {
    var keyed = values.map(function (value, i) {
      return {key: key(value), i: i, value: value};
    });
    keyed.sort(function (a, b) {
      for (var k = 0; k < a.key.length; k++) {
        if (a.key[k] < b.key[k]) return -1;
        if (a.key[k] > b.key[k]) return 1;
      }
      return a.i - b.i;
    });
    return keyed.map(function (x) {
      return x.value;
    });
  }

  function _fbm_options(item, settings, proj, gap, as_of) {
    if (!settings.fbm_enabled || gap.stockout_day === null) return [];
    var sources = item.elsewhere.filter(function (e) {
      return e.ships_fbm && e.qty > 0;
    });
    if (item.fbm_stock > 0) {
      var cost = !Formulas.isNone(settings.fbm_cost_per_unit) ? settings.fbm_cost_per_unit : 0.0;
      sources.unshift(Elsewhere(['FBM stock', item.fbm_stock, null, true, cost]));
    }
    var out = [];
    var need = Formulas.shortfall(proj, gap, gap.stockout_day);
    sources.forEach(function (source) {
      var units = Formulas.ceil_eps(Formulas.pyMin(source.qty, need));
      if (units <= 0) return;
      var covered = _days_covered(proj, gap, source.qty);
      out.push(
        Option(Formulas.SWITCH_TO_FBM, {
          units: units,
          day: gap.stockout_day,
          cost: _times(units, source.cost_per_unit),
          source: source.location,
          why:
            commas(units) + ' units from ' + source.location + ' ship to buyers from ' +
            Formulas.add_days(as_of, gap.stockout_day) + ', cover ' + covered + ' of ' + gap.days +
            ' gap days',
        }),
      );
    });
    return out;
  }

  function _days_covered(proj, gap, qty) {
    var covered = 0;
    var start = gap.stockout_day || 0;
    var end = gap.end || start;
    for (var t = start; t < end; t++) {
      if (Formulas.shortfall(proj, gap, start) - Formulas.shortfall(proj, gap, t + 1) > qty + 1e-9) break;
      covered += 1;
    }
    return covered;
  }

  function _transfer_options(item, proj, gap, as_of) {
    var out = [];
    item.elsewhere.forEach(function (source) {
      if (Formulas.isNone(source.transfer_days) || source.qty <= 0 || gap.end === null) return;
      var day = Formulas.ceil_eps(source.transfer_days);
      var units = Formulas.ceil_eps(Formulas.pyMin(source.qty, Formulas.shortfall(proj, gap, day)));
      if (units <= 0) return;
      out.push(
        Option(Formulas.TRANSFER, {
          units: units,
          day: day,
          cost: _times(units, source.cost_per_unit),
          source: source.location,
          why:
            'move ' + commas(units) + ' units from ' + source.location + ', sellable ' +
            Formulas.add_days(as_of, day),
        }),
      );
    });
    return out;
  }

  function _expedite_option(item, settings, proj, gap, leads, mode, action, as_of) {
    var per_kg = _cost_per_kg(settings);
    var best = null;
    item.inbound.forEach(function (batch) {
      var ready = batch_ready_day(batch, leads, settings.default_mode);
      if (ready === null || (batch.mode || settings.default_mode) === mode) return;
      var day = mode_landing(ready, mode, leads);
      if (day >= batch.day || (best !== null && day >= (best.day || 0))) return;
      var need = Formulas.round_up_to_pack(Formulas.shortfall(proj, gap, day), item.case_pack);
      var units = Math.min(Formulas.ceil_eps(batch.qty), need);
      if (units <= 0) return;
      var batchMode = batch.mode || settings.default_mode;
      var base = Object.prototype.hasOwnProperty.call(per_kg, batchMode) ? per_kg[batchMode] : per_kg.sea;
      var name = batch.shipment_id || 'of ' + Formulas.add_days(as_of, batch.day);
      var stage = stage_of(batch.status);
      best = Option(action, {
        units: units,
        day: day,
        cost: _freight(units, item.unit_weight, per_kg[mode] - base),
        source: batch.shipment_id,
        batch_qty: batch.qty,
        status: stage,
        why:
          commas(units) + ' of the ' + commas(Formulas.ceil_eps(batch.qty)) + ' units of batch ' + name +
          ' (' + stage + ') by ' + mode + ', land ' + Formulas.add_days(as_of, day),
      });
    });
    var new_day = mode === 'air' ? leads.air : leads.express;
    var units = Formulas.round_up_to_pack(Formulas.shortfall(proj, gap, new_day), item.case_pack);
    if (units > 0 && (best === null || new_day < (best.day || 0))) {
      var fallback = Object.prototype.hasOwnProperty.call(per_kg, settings.default_mode)
        ? per_kg[settings.default_mode]
        : per_kg.sea;
      best = Option(action, {
        units: units,
        day: new_day,
        cost: _freight(units, item.unit_weight, per_kg[mode] - fallback),
        source: 'new order',
        why:
          'new order of ' + commas(units) + ' units by ' + mode + ' (' + Formulas.fmt_number(leads.rush, 0) +
          ' days production), land ' + Formulas.add_days(as_of, new_day),
      });
    }
    return best;
  }

  function _cost_per_kg(settings) {
    return {
      sea: settings.sea_cost_per_kg,
      air: settings.air_cost_per_kg,
      express: settings.express_cost_per_kg,
      transfer: 0.0,
    };
  }

  function _times(units, per_unit) {
    return Formulas.isNone(per_unit) ? null : units * per_unit;
  }

  function _freight(units, weight, per_kg) {
    return Formulas.isNone(weight) ? null : units * weight * per_kg;
  }

  function _price_words(option) {
    var cost = option.cost === null ? 'extra cost unknown' : 'extra cost ' + Formulas.fmt_money(option.cost);
    if (option.margin === null) return ', ' + cost;
    return ', ' + cost + ', margin saved ' + Formulas.fmt_money(option.margin);
  }

  function _slow_sales(item, proj, gap, as_of) {
    if (gap.next_landing === null || gap.stockout_day === null) return null;
    var need = proj.demand(0, gap.next_landing);
    var have = proj.available + proj.arrived(gap.stockout_day);
    var cut = need > 0 ? 1 - have / need : 0.0;
    if (cut > MAX_SLOW_DOWN) return null;
    return Option(Formulas.SLOW_SALES, {
      why:
        'cut sales by ' + Formulas.fmt_number(Formulas.pyMax(cut, 0.0) * 100, 0) + ' % to last until ' +
        Formulas.add_days(as_of, gap.next_landing),
    });
  }

  function _pause(item, gap, as_of) {
    var revenue = '';
    if (!Formulas.isNone(item.price)) revenue = ', ' + Formulas.fmt_money(gap.lost_units * item.price) + ' revenue';
    var start = Formulas.add_days(as_of, gap.stockout_day || 0);
    return Option(Formulas.PAUSE_AND_NOTIFY, {
      day: gap.end,
      why:
        gap.days + ' days out from ' + start + ', ' + commas(gap.lost_units) + ' units lost' + revenue,
    });
  }

  function flags_for(item, settings, vel, gap, order, leads, cover_all, stock, relaunch) {
    var flags = [];
    if (order.by_day !== null && order.by_day <= 0 && order.qty > 0) flags.push(Formulas.REORDER_NOW);
    if (gap.stockout_day !== null && gap.stockout_day < leads.regular) flags.push(Formulas.LEAD_TIME_RISK);
    if (cover_all !== null && cover_all < settings.fee_line_days) flags.push(Formulas.FEE_RISK);
    if ((cover_all === null && stock > 0) || (cover_all !== null && cover_all > settings.overstock_days)) {
      flags.push(Formulas.OVERSTOCK);
    }
    if (_overdue(item)) flags.push(Formulas.INBOUND_OVERDUE);
    if (vel.trend !== null && vel.trend > 1.2) flags.push(Formulas.TREND_UP);
    if (relaunch) flags.push(Formulas.RELAUNCH);
    return flags;
  }

  function _overdue(item) {
    return item.inbound.some(function (b) {
      return b.day < 0 && b.qty > 0;
    });
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
    var leads = lead_times(item, s);
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
      air_arrival_day: air_arrival(item, leads, s.default_mode),
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
    var order = Formulas.find_reorder(proj, leads.regular, ss, s.cover_target_days, item.case_pack, item.moq);
    var alert = Formulas.alert_for(gap.stockout_day, item.available, s.warn_days);
    if (alert === Formulas.OK && gap.stockout_day !== null && gap.stockout_day < leads.regular) {
      alert = Formulas.WATCH;
    }
    var options = gap.days > 0 ? emergency_options(item, s, proj, gap, leads, as_of) : [];
    var choices = options.map(function (o) {
      return [o.action, o.why];
    });
    if (order.by_day !== null && order.by_day <= 0 && order.qty > 0) {
      choices.push([
        Formulas.REORDER_NOW,
        'order ' + commas(order.qty) + ' units by ' + s.default_mode + ' today, arrive ' +
          Formulas.add_days(as_of, leads.regular),
      ]);
    } else if (order.by_day !== null && order.by_day <= REORDER_SOON_DAYS && order.qty > 0) {
      choices.push([
        Formulas.REORDER_SOON,
        'order ' + commas(order.qty) + ' units by ' + Formulas.add_days(as_of, order.by_day),
      ]);
    }
    if (relaunch) {
      choices.push([
        Formulas.RELAUNCH,
        'back in stock ' + restocked + ' days: ' + Formulas.fmt_number(s.coupon_pct, 0) + ' % coupon for ' +
          RELAUNCH_COUPON_DAYS + ' days, ad budget +' + Formulas.fmt_number(s.ad_boost_pct, 0) +
          ' %, watch conversion',
      ]);
    }
    if (!choices.length) choices.push([Formulas.OK, 'no action needed']);
    var text = choices[0][0] + ': ' + choices[0][1];
    if (choices.length > 1) {
      text +=
        ' · also ' +
        choices
          .slice(1)
          .map(function (c) {
            return c[0] + ': ' + c[1];
          })
          .join(' · ');
    }
    var first = options.length ? options[0] : null;
    var air = null;
    for (var i = 0; i < options.length; i++) {
      if (options[i].action === Formulas.EXPEDITE_BY_AIR || options[i].action === Formulas.EXPEDITE_BY_EXPRESS) {
        air = options[i];
        break;
      }
    }
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
    plan.option_cost = first !== null ? first.cost : null;
    plan.margin_saved = first !== null ? first.margin : null;
    plan.alert = alert;
    plan.flags = flags_for(item, s, vel, gap, order, leads, cover_all, available + inbound_total, relaunch);
    plan.action = choices[0][0];
    plan.alternatives = choices.slice(1).map(function (c) {
      return c[0];
    });
    plan.action_text = text;
    plan.options = options;
    plan.basis = fc.basis ? fc.basis + ' · ' + vel.basis : vel.basis;
    plan.forecast = fc;
    plan.forecast_rate =
      lead > 0 && (fc.blocks.length || item.promotions.length) ? proj.demand(0, lead) / lead : base;
    plan.stockout_risk = risk;
    return plan;
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
        var stage = stage_of(b.status);
        return stage === SHIPPED || stage === RECEIVING;
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
    CLOSED: CLOSED,
    stage_of: stage_of,
    Inbound: Inbound,
    Elsewhere: Elsewhere,
    SkuInput: SkuInput,
    forecast_demand: forecast_demand,
    projection_of: projection_of,
    lead_times: lead_times,
    emergency_options: emergency_options,
    plan_sku: plan_sku,
    plan_sku_vector: plan_sku_vector,
    incident_losses: incident_losses,
    out_runs: out_runs,
    coupon_price: coupon_price,
    delayed_orders: delayed_orders,
  };
})();
