/**
 * Where the goods are and what each way of bringing them costs: a line-by-line port of
 * addin/supply.py (SPEC §2 Inbound and Stock elsewhere, §3 v2 Air arrival and the emergency
 * options). The math's basics come from Formulas (Formulas.gs), read when a function runs,
 * since Apps Script loads files in no promised order.
 */
var Supply = (function () {
  'use strict';

  var MAX_SLOW_DOWN = 0.3;
  var BIG_DAY = 1 << 30;
  var NEW_ORDER = 'new order';
  /** supply.DELAY_NOTES: kept only for a SKU whose open orders got a note (Decisions.delay_notes). */
  var DELAY_NOTES = ', send the delay notes in Drafts';

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
    delivered: RECEIVING, '已送达': RECEIVING, '上架中': RECEIVING, closed: CLOSED, cancelled: CLOSED,
    canceled: CLOSED, received: CLOSED, deleted: CLOSED, done: CLOSED, '已完成入库': CLOSED,
    '已取消': CLOSED,
  };

  function stage_of(status) {
    var text = Formulas.isNone(status) ? '' : String(status).toLowerCase().split(/\s+/).filter(Boolean).join(' ');
    return Object.prototype.hasOwnProperty.call(STAGES, text) ? STAGES[text] : SHIPPED;
  }

  function _part(units, whole) {
    return units >= whole ? 'all ' + commas(whole) : commas(units) + ' of the ' + commas(whole);
  }

  function status_word(status) {
    var text = Formulas.isNone(status) ? '' : String(status).split(/\s+/).filter(Boolean).join(' ');
    return text || stage_of(status);
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
    var options = _source_options(item, settings, gap, leads, as_of, margin, function (day) {
      return Formulas.shortfall(proj, gap, day);
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

  /** supply._source_options: FBM, transfers, air, express, each sized to what the gap lacks
   * from its day on (need: the shortfall, or less when chosen options fill part of it). */
  function _source_options(item, settings, gap, leads, as_of, margin, need) {
    var options = _fbm_options(item, settings, gap, as_of, margin, need).concat(
      _transfer_options(item, gap, as_of, need),
    );
    [
      ['air', Formulas.EXPEDITE_BY_AIR],
      ['express', Formulas.EXPEDITE_BY_EXPRESS],
    ].forEach(function (pair) {
      var found = _expedite_option(item, settings, gap, leads, pair[0], pair[1], as_of, need);
      if (found !== null) options.push(found);
    });
    options.forEach(function (option) {
      var saved = Math.min(option.units, Formulas.ceil_eps(need(option.day || 0)));
      option.margin = margin !== null ? saved * margin : null;
      option.why += _price_words(option);
    });
    return options;
  }

  /** supply.combined_options: the options taken as well as the best, in the order to act. */
  function combined_options(item, settings, proj, gap, leads, as_of, best) {
    if (
      Formulas.isNone(item.price) ||
      Formulas.isNone(item.unit_cost) ||
      best.action === Formulas.PAUSE_AND_NOTIFY ||
      best.action === Formulas.SLOW_SALES
    ) {
      return [];
    }
    var margin = item.price - item.unit_cost;
    var chosen = [best];
    for (;;) {
      var landed = chosen.map(function (o) {
        return [o.day || 0, o.units];
      });
      var served = _served(proj, gap, landed);
      var open_from = (function (landed, served) {
        return function (day) {
          return _served(proj, gap, landed.concat([[day, Infinity]])) - served;
        };
      })(landed, served);
      var found = _source_options(item, settings, gap, leads, as_of, margin, open_from).filter(function (o) {
        var n = net(o);
        return (
          o.units > 0 &&
          n !== null &&
          n > 0 &&
          !chosen.some(function (c) {
            return _rivals(o, c);
          })
        );
      });
      if (!found.length) break;
      chosen.push(
        stableSort(found, function (option) {
          return _rank(option, true);
        })[0],
      );
    }
    return stableSort(chosen.slice(1), function (o) {
      return [o.action === Formulas.SWITCH_TO_FBM ? 1 : 0, o.day || 0];
    });
  }

  function _served(proj, gap, landed) {
    var start = gap.stockout_day;
    var end = gap.end;
    if (start === null || end === null) return 0.0;
    var pool = 0.0;
    var served = 0.0;
    for (var t = start; t < end; t++) {
      landed.forEach(function (part) {
        if (Math.max(part[0], start) === t) pool += part[1];
      });
      var lost = proj.forecast(t) - (t === start ? proj.stock_at(t) : 0.0);
      var take = Math.min(pool, Math.max(0.0, lost));
      pool -= take;
      served += take;
    }
    return served;
  }

  function _rivals(a, b) {
    var theirs = _sources(b);
    return _sources(a).some(function (x) {
      return theirs.indexOf(x) >= 0;
    });
  }

  function _sources(option) {
    return option.action === Formulas.SWITCH_TO_FBM ? option.source.split(', ') : [option.source];
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

  /** supply._fbm_options: own FBM stock and every Stock elsewhere that ships FBM, together. */
  function _fbm_options(item, settings, gap, as_of, margin, open_from) {
    if (!settings.fbm_enabled || gap.stockout_day === null) return [];
    var sources = item.elsewhere.filter(function (e) {
      return e.ships_fbm && e.qty > 0;
    });
    if (item.fbm_stock > 0) {
      var cost = !Formulas.isNone(settings.fbm_cost_per_unit) ? settings.fbm_cost_per_unit : 0.0;
      sources.unshift(Elsewhere(['FBM stock', item.fbm_stock, null, true, cost]));
    }
    var priced = stableSort(
      sources.filter(function (e) {
        return !Formulas.isNone(e.cost_per_unit);
      }),
      function (e) {
        return [e.cost_per_unit];
      },
    );
    var need = open_from(gap.stockout_day);
    var out = [];
    var parts = [];
    var left = need;
    priced.forEach(function (source) {
      var worth = margin === null || source.cost_per_unit < margin;
      var units = Formulas.ceil_eps(Formulas.pyMin(source.qty, left));
      if (units > 0 && (worth || !parts.length)) {
        parts.push([source, units]);
        left -= units;
      }
    });
    if (parts.length) out.push(_fbm_option(gap, parts, as_of, open_from));
    sources.forEach(function (source) {
      var units = Formulas.ceil_eps(Formulas.pyMin(source.qty, need));
      if (Formulas.isNone(source.cost_per_unit) && units > 0) {
        out.push(_fbm_option(gap, [[source, units]], as_of, open_from));
      }
    });
    return out;
  }

  /** SWITCH TO FBM from one place, or several in the order they ship (supply._fbm_option). */
  function _fbm_option(gap, parts, as_of, open_from) {
    var units = 0;
    var cost = 0.0;
    parts.forEach(function (part) {
      units += part[1];
      var each = _times(part[1], part[0].cost_per_unit);
      cost = cost === null || each === null ? null : cost + each;
    });
    var where = commas(units) + ' units from ' + parts[0][0].location;
    if (parts.length > 1) {
      where =
        commas(units) +
        ' units (' +
        parts
          .map(function (part) {
            return commas(part[1]) + ' from ' + part[0].location;
          })
          .join(', then ') +
        ')';
    }
    return Option(Formulas.SWITCH_TO_FBM, {
      units: units,
      day: gap.stockout_day,
      cost: cost,
      source: parts
        .map(function (part) {
          return part[0].location;
        })
        .join(', '),
      why:
        where + ' ship to buyers from ' + Formulas.add_days(as_of, gap.stockout_day || 0) + ', cover ' +
        _days_covered(gap, units, open_from) + ' of ' + gap.days + ' gap days',
    });
  }

  function _days_covered(gap, qty, open_from) {
    var covered = 0;
    var start = gap.stockout_day || 0;
    var end = gap.end || start;
    for (var t = start; t < end; t++) {
      if (open_from(start) - open_from(t + 1) > qty + 1e-9) break;
      if (open_from(t) - open_from(t + 1) > 1e-9) covered += 1;
    }
    return covered;
  }

  function _transfer_options(item, gap, as_of, open_from) {
    var out = [];
    item.elsewhere.forEach(function (source) {
      if (Formulas.isNone(source.transfer_days) || source.qty <= 0 || gap.end === null) return;
      var day = Formulas.ceil_eps(source.transfer_days);
      var units = Formulas.ceil_eps(Formulas.pyMin(source.qty, open_from(day)));
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

  function _expedite_option(item, settings, gap, leads, mode, action, as_of, open_from) {
    var per_kg = _cost_per_kg(settings);
    var best = null;
    item.inbound.forEach(function (batch) {
      var ready = batch_ready_day(batch, leads, settings.default_mode);
      if (ready === null || (batch.mode || settings.default_mode) === mode) return;
      var day = mode_landing(ready, mode, leads);
      if (day >= batch.day || (best !== null && day >= (best.day || 0))) return;
      var need = Formulas.round_up_to_pack(open_from(day), item.case_pack);
      var units = Math.min(Formulas.ceil_eps(batch.qty), need);
      if (units <= 0) return;
      var batchMode = batch.mode || settings.default_mode;
      var base = Object.prototype.hasOwnProperty.call(per_kg, batchMode) ? per_kg[batchMode] : per_kg.sea;
      var name = batch.shipment_id || 'of ' + Formulas.add_days(as_of, batch.day);
      best = Option(action, {
        units: units,
        day: day,
        cost: _freight(units, item.unit_weight, per_kg[mode] - base),
        source: batch.shipment_id,
        batch_qty: batch.qty,
        status: status_word(batch.status),
        why:
          _part(units, Formulas.ceil_eps(batch.qty)) + ' units of batch ' + name +
          ' (' + status_word(batch.status) + ') by ' + mode + ', land ' + Formulas.add_days(as_of, day),
      });
    });
    var new_day = mode === 'air' ? leads.air : leads.express;
    var units = Formulas.round_up_to_pack(open_from(new_day), item.case_pack);
    if (units > 0 && (best === null || new_day < (best.day || 0))) {
      var fallback = Object.prototype.hasOwnProperty.call(per_kg, settings.default_mode)
        ? per_kg[settings.default_mode]
        : per_kg.sea;
      best = Option(action, {
        units: units,
        day: new_day,
        cost: _freight(units, item.unit_weight, per_kg[mode] - fallback),
        source: NEW_ORDER,
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
    var back = Formulas.add_days(as_of, gap.end || 0);
    var sell = item.available <= 0 ? 'FBA is out:' : 'let FBA sell out,';
    return Option(Formulas.PAUSE_AND_NOTIFY, {
      day: gap.end,
      why:
        gap.days + ' days out from ' + start + ', ' + commas(gap.lost_units) + ' units lost' + revenue + ': ' +
        sell + ' keep the listing (inactive until the stock is back on ' + back +
        '), pause its ads till then' + DELAY_NOTES,
    });
  }

  return {
    PLANNED: PLANNED,
    READY: READY,
    SHIPPED: SHIPPED,
    RECEIVING: RECEIVING,
    CLOSED: CLOSED,
    NEW_ORDER: NEW_ORDER,
    DELAY_NOTES: DELAY_NOTES,
    stage_of: stage_of,
    status_word: status_word,
    Inbound: Inbound,
    Elsewhere: Elsewhere,
    lead_times: lead_times,
    air_arrival: air_arrival,
    emergency_options: emergency_options,
    combined_options: combined_options,
  };
})();
