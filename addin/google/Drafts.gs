/**
 * The Drafts tab of the in-sheet refresh: a port of sheets_sync/drafts.py over the shipped
 * templates (Schema.gs) and Templates.gs. The same kinds, keys and episode rule, and the same
 * Status rule (SPEC §2): a refresh writes `draft` on new rows, refreshes a `draft` row in place
 * while the plan still produces it, and never rewrites or deletes a row whose Status the user
 * set (`sent`, `skip`, …).
 *
 * What stays with the server: templates of the user's own (a `templates` folder beside a
 * workbook file has no equivalent in a Google Sheet) and the Amazon messaging-rule checks of
 * buyer notices.
 */

var STOCKOUT_DRAFT = 'draft';
var STOCKOUT_EPISODE_DAYS = 14;
var STOCKOUT_RECEIVING_WINDOW_DAYS = 14;
var STOCKOUT_MAX_BACKORDER_DAYS = 30;
var STOCKOUT_EXTERNAL_KINDS = ['buyer_delay', 'supplier_expedite', 'forwarder_air'];
var STOCKOUT_STOCKOUT_ACTIONS = ['SWITCH TO FBM', 'TRANSFER', 'EXPEDITE BY AIR', 'EXPEDITE BY EXPRESS', 'SLOW SALES', 'PAUSE AND NOTIFY'];
var STOCKOUT_DRAFT_SEVERITY = {OUT: 0, CRITICAL: 1, WARNING: 2, WATCH: 3, OK: 4, 'NO DATA': 5};
var STOCKOUT_MARKETPLACES = {
  com: ['en', 'US'], ca: ['en', 'CA'], 'com.mx': ['es', 'MX'], 'com.br': ['pt', 'BR'],
  'co.uk': ['en', 'GB'], ie: ['en', 'IE'], de: ['de', 'DE'], fr: ['fr', 'FR'], 'com.be': ['fr', 'BE'],
  it: ['it', 'IT'], es: ['es', 'ES'], nl: ['nl', 'NL'], se: ['sv', 'SE'], pl: ['pl', 'PL'],
  'com.tr': ['tr', 'TR'], ae: ['en', 'AE'], sa: ['ar', 'SA'], in: ['en', 'IN'], 'co.jp': ['ja', 'JP'],
  'com.au': ['en', 'AU'], sg: ['en', 'SG'],
}; // prettier-ignore
var STOCKOUT_LANGUAGE_NAMES = {
  english: 'en', german: 'de', deutsch: 'de', french: 'fr', 'français': 'fr', francais: 'fr',
  italian: 'it', italiano: 'it', spanish: 'es', 'español': 'es', espanol: 'es', japanese: 'ja',
  '日本語': 'ja', chinese: 'zh', '中文': 'zh',
}; // prettier-ignore

/**
 * Renders `<language>/<kind>` (English when the language has none, with a warning for
 * messages leaving the company). A template error never stops the refresh: it becomes a
 * warning on an empty draft. Returns {subject, body, language, warnings}.
 */
function stockoutMessage_(kind, language, context, locale) {
  var warnings = [];
  var used = language;
  if (!((language + '/' + kind) in StockoutSchema.templates)) {
    used = 'en';
    if (STOCKOUT_EXTERNAL_KINDS.indexOf(kind) >= 0) {
      warnings.push("no '" + language + "' template for " + kind + '; wrote it in English');
    }
  }
  var ctx = Object.assign({}, context, {locale: locale && used === language ? locale : used});
  var text;
  try {
    text = stockoutRender_(StockoutSchema.templates[used + '/' + kind], ctx);
  } catch (err) {
    warnings.push('template ' + used + '/' + kind + '.txt.j2: ' + err.message);
    return {subject: '', body: '', language: used, warnings: warnings};
  }
  var lines = text.replace(/^\n+|\n+$/g, '').split('\n');
  if (lines.length && /^subject:/i.test(lines[0])) {
    return {
      subject: lines[0].split(':').slice(1).join(':').trim(),
      body: lines.slice(1).join('\n').trim(),
      language: used,
      warnings: warnings,
    };
  }
  return {subject: '', body: text.trim(), language: used, warnings: warnings};
}

/** The buyer's language and country: the order's Language, else its Marketplace. */
function stockoutBuyerLanguage_(language, marketplace, fallback) {
  var market = String(marketplace || '').trim().toLowerCase().replace(/^www\./, '').replace(/^amazon\./, '');
  var found = STOCKOUT_MARKETPLACES[market];
  if (!found) {
    var code = market.toUpperCase() === 'UK' ? 'GB' : market.toUpperCase();
    found = [fallback, null];
    Object.keys(STOCKOUT_MARKETPLACES).some(function (k) {
      if (STOCKOUT_MARKETPLACES[k][1] === code) {
        found = STOCKOUT_MARKETPLACES[k];
        return true;
      }
      return false;
    });
  }
  var lang = found[0];
  var text = String(language || '').trim();
  if (text) lang = STOCKOUT_LANGUAGE_NAMES[text.toLowerCase()] || text.split(/[-_]/)[0].toLowerCase();
  return [lang, found[1]];
}

/** What the alert digest template sees: SKUs needing attention, worst first. */
function stockoutDigestContext_(skus, previous) {
  var rows = skus
    .filter(function (s) {
      return s.alert !== 'OK' && s.alert !== 'NO DATA';
    })
    .map(function (s) {
      var best = String(s.action_text || '').split(STOCKOUT_ALSO_)[0] || null;
      return Object.assign({}, s, {action_text: best, was: previous ? previous[s.sku] || null : null});
    });
  rows.sort(function (a, b) {
    var d = STOCKOUT_DRAFT_SEVERITY[a.alert] - STOCKOUT_DRAFT_SEVERITY[b.alert];
    if (d) return d;
    d = (a.days_to_stockout || 0) - (b.days_to_stockout || 0);
    if (d) return d;
    return a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0;
  });
  var counts = {};
  Object.keys(STOCKOUT_DRAFT_SEVERITY).forEach(function (level) {
    counts[level] = rows.filter(function (r) {
      return r.alert === level;
    }).length;
  });
  return {
    rows: rows,
    counts: counts,
    no_data: skus.filter(function (s) {
      return s.alert === 'NO DATA';
    }).map(function (s) {
      return s.sku;
    }),
    total: skus.length,
    worsened: Boolean(previous),
  };
}

/**
 * A draft's To: "Name <e-mail>" when the data has an address; without one, MISSING (a
 * placeholder name and address) says what to fill in (drafts.addressed).
 */
function stockoutAddressed_(name, email, missing) {
  var n = name === null || name === undefined ? '' : String(name).trim();
  var e = email === null || email === undefined ? '' : String(email).trim();
  if (e) return n ? n + ' <' + e + '>' : e;
  if (!missing) return n;
  return (n || missing[0]) + ' <' + missing[1] + '>';
}

var STOCKOUT_NO_SUPPLIER = ['[supplier]', '[add Supplier e-mail in Inventory]'];
var STOCKOUT_NO_FORWARDER = ['[forwarder]', '[add forwarder_email in Settings]'];
/** A Warning when a draft names a SKU by its code alone (drafts.untitled). */
function stockoutUntitled_(lines) {
  var skus = lines.filter(function (line) {
    return line.titled === false;
  }).map(function (line) {
    return String(line.sku);
  });
  return skus.length ? ['no Title in Inventory for ' + skus.join(', ') + ': add it so they know the product'] : [];
}

/** drafts.NO_ADDRESS: a draft's Warning when its To is a placeholder. */
function stockoutNoAddress_(what) {
  return 'no e-mail address: add ' + what + ' (or type one in To) before sending';
}
var STOCKOUT_BRINGS_STOCK = ['TRANSFER', 'EXPEDITE BY AIR', 'EXPEDITE BY EXPRESS'];

/** A batch's status word in a draft's language (vocab.status_in). */
function stockoutStatusIn_(word, language) {
  var zh = StockoutSchema.statusZh;
  if (language === 'zh') {
    var key = word.toLowerCase();
    return Object.prototype.hasOwnProperty.call(zh, key) ? zh[key] : word;
  }
  var english = null;
  Object.keys(zh).forEach(function (en) {
    if (english === null && zh[en] === word) english = en;
  });
  return english === null ? word : english;
}

/** Why an order is late, as a buyer may be told (drafts._delay_cause). */
function stockoutDelayCause_(items) {
  var flags = [];
  items.forEach(function (item) {
    flags = flags.concat(item.flags || []);
  });
  if (flags.indexOf('INBOUND OVERDUE') >= 0) return 'late';
  return flags.indexOf('TREND UP') >= 0 ? 'demand' : '';
}

function stockoutSetting_(raw, name, fallback) {
  var value = raw[name];
  return value === null || value === undefined || value === '' ? fallback : value;
}

/** Every draft the plan calls for (drafts._Builder.drafts), each {key, kind, sku, order_id, to, message}. */
function stockoutDrafts_(plan, old) {
  var raw = plan.raw;
  var internal = String(stockoutSetting_(raw, 'sheet_language', 'en'));
  var supplierLang = String(stockoutSetting_(raw, 'supplier_language', 'zh'));
  var base = {
    as_of: plan.as_of,
    currency: stockoutSetting_(raw, 'currency', 'USD'),
    store_name: String(stockoutSetting_(raw, 'store_name', '')),
    sender_name: String(stockoutSetting_(raw, 'sender_name', '')),
    forwarder_name: String(stockoutSetting_(raw, 'forwarder_name', '')),
  };
  var context = function (values) {
    return Object.assign({}, base, values);
  };
  var draft = function (key, kind, sku, orderId, to, message) {
    return {key: key, kind: kind, sku: sku, order_id: orderId, to: to, message: message};
  };
  /** SKU names a per-SKU episode; with TO, the episode is that addressee's (the name in the key). */
  var episodeKey = function (kind, sku, day, to) {
    var byTo = to !== undefined && to !== null;
    for (var i = 0; i < old.length; i++) {
      var row = old[i];
      var start = stockoutKeyDate_(row.key);
      var mine = byTo ? row.key === kind + ':' + to + ':' + start : row.sku === sku;
      if (row.kind === kind && mine && start && Math.abs(stockoutDaysBetween_(start, day)) <= STOCKOUT_EPISODE_DAYS) {
        return row.key;
      }
    }
    return kind + ':' + (byTo ? to : sku) + ':' + day;
  };
  var out = [];
  var digest = stockoutMessage_('alert_digest', internal, context(stockoutDigestContext_(plan.skus)));
  out.push(draft('alert_digest:' + plan.as_of, 'alert_digest', '', '', String(stockoutSetting_(raw, 'alert_email_to', '')), digest));
  out = out.concat(stockoutBuyerDrafts_(plan, context, draft));
  var skus = plan.skus.slice().sort(function (a, b) {
    var d = STOCKOUT_DRAFT_SEVERITY[a.alert] - STOCKOUT_DRAFT_SEVERITY[b.alert];
    return d || (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);
  }).map(function (s) { // a draft names a SKU by its Title, or by the SKU where Title is blank
    var title = s.title === null || s.title === undefined ? '' : String(s.title).trim();
    return Object.assign({}, s, {title: title || String(s.sku), titled: Boolean(title)});
  });
  out = out.concat(stockoutSupplierDrafts_(plan, skus, context, draft, episodeKey, supplierLang));
  out = out.concat(stockoutForwarderDrafts_(plan, skus, context, draft, episodeKey, supplierLang));
  skus.forEach(function (item) {
    var ctx = context(item);
    var perSku = function (kind, start, extra, language, to) {
      var message = stockoutMessage_(kind, language, Object.assign({}, ctx, extra));
      return draft(episodeKey(kind, item.sku, start), kind, item.sku, '', to, message);
    };
    if (STOCKOUT_STOCKOUT_ACTIONS.indexOf(item.action) >= 0 && (item.alert === 'OUT' || item.alert === 'CRITICAL')) {
      var start = stockoutShortageStart_(plan, item);
      ctx.shortage_start = start;
      var restock = stockoutRestock_(plan, item);
      var wait = restock[0] ? stockoutDaysBetween_(restock[0], plan.as_of) : null;
      var fbm = String(stockoutSetting_(raw, 'fbm_enabled', true)).trim().toLowerCase();
      var switched = stockoutTaken_(item).filter(function (o) {
        return o.action === 'SWITCH TO FBM';
      })[0] || null;
      out.push(perSku('offer_restock', start, {
        fbm_enabled: ['no', 'false', '0', 'n', 'off'].indexOf(fbm) < 0,
        restock_date: restock[0],
        restock_by: stockoutWords_(restock[1], internal),
        wait_days: wait,
        backorder_ok: wait !== null && wait <= STOCKOUT_MAX_BACKORDER_DAYS,
        max_backorder_days: STOCKOUT_MAX_BACKORDER_DAYS,
        fbm_units: switched ? switched.units : item.fbm_stock === undefined ? null : item.fbm_stock,
        fbm_from: switched ? switched.source : null,
      }, internal, 'Seller Central listing'));
    }
    var eta = item.next_inbound_eta;
    if ((item.alert === 'OUT' || item.alert === 'CRITICAL') && eta && stockoutDaysBetween_(eta, plan.as_of) <= STOCKOUT_RECEIVING_WINDOW_DAYS) {
      var message = stockoutMessage_('amazon_receiving', internal, ctx);
      var key = 'amazon_receiving:' + item.next_inbound_id;
      if (!item.next_inbound_id) {
        message.warnings.push('no Shipment ID in the Inbound tab: add it before sending');
        key = 'amazon_receiving:' + item.sku + ':' + eta;
      }
      out.push(draft(key, 'amazon_receiving', item.sku, '', 'Seller Support', message));
    }
    if (item.action === 'RELAUNCH' || (item.flags || []).indexOf('RELAUNCH') >= 0) {
      var closed = plan.incidents.filter(function (i) {
        return i.sku === item.sku && i.ended;
      });
      var incident = closed.reduce(function (best, i) {
        return best === null || i.started > best.started ? i : best;
      }, null);
      var coupon = Number(stockoutSetting_(raw, 'coupon_pct', 20));
      out.push(perSku('relaunch_plan', incident ? incident.started : item.back_in_stock || plan.as_of, {
        incident: incident,
        coupon_pct: coupon,
        ad_boost_pct: Number(stockoutSetting_(raw, 'ad_boost_pct', 30)),
        relaunch_days: Math.trunc(Number(stockoutSetting_(raw, 'relaunch_days', 14))),
        coupon_price: Decisions.coupon_price(item.price, coupon),
        watch: null, // the relaunch tracker reads the history store: Python only
      }, internal, 'ads / marketing'));
    }
  });
  plan.incidents.forEach(function (incident) {
    if (incident.ended) out.push(stockoutPostmortem_(plan, incident, old, context, draft, internal));
  });
  return out;
}

/**
 * The day the SKU should be sellable at FBA again and the action that brings it when that day
 * is the plan's proposal, an estimate; '' when it is the next batch in Inbound (drafts.restock).
 */
function stockoutRestock_(plan, item) {
  var proposed = [];
  stockoutTaken_(item).forEach(function (option) {
    var chosen = stockoutOptionFields_(option, plan.as_of);
    if (STOCKOUT_BRINGS_STOCK.indexOf(option.action) >= 0 && chosen.land && chosen.units) {
      proposed.push([chosen.land, option.action]);
    }
  });
  var lead = item.lead_time_days;
  if ((item.flags || []).indexOf('REORDER NOW') >= 0 && item.reorder_qty && lead) {
    proposed.push([Formulas.add_days(plan.as_of, Math.trunc(lead)), 'REORDER NOW']);
  }
  var first = proposed.reduce(function (best, p) {
    return best === null || p[0] < best[0] || (p[0] === best[0] && p[1] < best[1]) ? p : best;
  }, null);
  var back = item.back_in_stock || null;
  if (first !== null && (back === null || first[0] < back)) return first;
  return [back, ''];
}

/** The options the Action takes: the best and those done with it (drafts._taken). */
function stockoutTaken_(item) {
  var best = (item.options || []).slice(0, 1);
  if (best.length && best[0].action !== item.action) return []; // the Action is an order, a chase
  return best.concat(item.combined || []);
}

/** An emergency option as template values (drafts._option_fields). */
function stockoutOptionFields_(option, asOf) {
  if (!option) return {};
  return {
    action: option.action,
    units: option.units,
    source: option.source,
    batch_qty: option.batch_qty,
    status: option.status,
    land: option.day === null || option.day === undefined ? null : Formulas.add_days(asOf, option.day),
  };
}

function stockoutModeOf_(action) {
  return action === 'EXPEDITE BY AIR' ? 'air' : action === 'EXPEDITE BY EXPRESS' ? 'express' : null;
}

/** What one SKU asks of its supplier, or null (drafts._Builder.supplier_line). */
function stockoutSupplierLine_(plan, item, language) {
  var stockout = STOCKOUT_STOCKOUT_ACTIONS.indexOf(item.action) >= 0;
  var taken = stockout
    ? stockoutTaken_(item).map(function (o) {
      return stockoutOptionFields_(o, plan.as_of);
    })
    : [];
  var batches = [];
  if (stockout) {
    (item.batches || []).forEach(function (batch) {
      var split = taken.filter(function (o) {
        return o.source && o.source === batch.shipment_id;
      })[0] || {};
      batches.push({
        shipment_id: batch.shipment_id,
        qty: batch.qty,
        status: stockoutStatusIn_(Supply.status_word(batch.status), language),
        stage: Supply.stage_of(batch.status),
        eta: Formulas.add_days(plan.as_of, batch.day),
        units: split.units === undefined ? null : split.units,
        mode: stockoutModeOf_(split.action),
        land: split.land === undefined ? null : split.land,
      });
    });
  }
  var shipments = [];
  taken.forEach(function (flown) {
    if (flown.source === 'new order') shipments.push({units: flown.units, mode: stockoutModeOf_(flown.action)});
  });
  if ((item.flags || []).indexOf('REORDER NOW') >= 0 && item.reorder_qty) {
    shipments.push({units: item.reorder_qty, mode: String(stockoutSetting_(plan.raw, 'default_mode', 'sea'))});
  }
  var orders = [];
  if (shipments.length) { // one purchase order; the part that flies ships first
    var units = shipments.reduce(function (sum, s) {
      return sum + s.units;
    }, 0);
    orders.push({units: units, mode: shipments[0].mode, by: plan.as_of, shipments: shipments});
  }
  if (!batches.length && !orders.length) return null;
  var start = stockout ? stockoutShortageStart_(plan, item) : plan.as_of;
  return Object.assign({}, item, {shortage_start: start, batches: batches, orders: orders});
}

/** One request per supplier listing every SKU that needs it (drafts._Builder.supplier_requests). */
function stockoutSupplierDrafts_(plan, urgent, context, draft, episodeKey, language) {
  var groups = {};
  var order = [];
  urgent.forEach(function (item) {
    var line = stockoutSupplierLine_(plan, item, language);
    if (line === null) return;
    var supplier = String(item.supplier || '');
    if (!(supplier in groups)) {
      groups[supplier] = [];
      order.push(supplier);
    }
    groups[supplier].push(line);
  });
  return order.map(function (supplier) {
    var lines = groups[supplier];
    var start = lines.map(function (l) {
      return l.shortage_start;
    }).sort()[0];
    var message = stockoutMessage_('supplier_expedite', language, context({supplier: supplier, items: lines}));
    if (!supplier) message.warnings.push('no Supplier in Inventory: add it to address the request');
    var skus = lines.map(function (l) {
      return l.sku;
    }).join(', ');
    var email = null;
    lines.forEach(function (line) {
      if (email === null && String(line.supplier_email || '').trim()) email = line.supplier_email;
    });
    var to = stockoutAddressed_(supplier, email, STOCKOUT_NO_SUPPLIER);
    if (email === null) message.warnings.push(stockoutNoAddress_('Supplier e-mail in Inventory'));
    Array.prototype.push.apply(message.warnings, stockoutUntitled_(lines));
    return draft(episodeKey('supplier_expedite', '', start, supplier), 'supplier_expedite', skus, '', to, message);
  });
}

/** One freight request to the forwarder (drafts._Builder.forwarder_requests). */
function stockoutForwarderDrafts_(plan, urgent, context, draft, episodeKey, language) {
  var lines = [];
  urgent.forEach(function (item) {
    var flights = stockoutTaken_(item)
      .filter(function (o) {
        return stockoutModeOf_(o.action) !== null;
      })
      .map(function (o) {
        return stockoutOptionFields_(o, plan.as_of);
      });
    if (!flights.length && (item.action === 'EXPEDITE BY AIR' || item.action === 'EXPEDITE BY EXPRESS')) {
      flights = [{action: item.action, units: item.air_units, land: item.air_arrival}];
    }
    flights.forEach(function (chosen) {
      if (!chosen.units) return;
      lines.push(Object.assign({}, item, chosen, {
        mode: stockoutModeOf_(chosen.action),
        shortage_start: stockoutShortageStart_(plan, item),
        status: stockoutStatusIn_(Supply.status_word(chosen.status), language),
      }));
    });
  });
  if (!lines.length) return [];
  var start = lines.map(function (l) {
    return l.shortage_start;
  }).sort()[0];
  var message = stockoutMessage_('forwarder_air', language, context({items: lines}));
  var skus = lines.map(function (l) {
    return l.sku;
  }).join(', ');
  var raw = plan.raw;
  var forwarderEmail = stockoutSetting_(raw, 'forwarder_email', null);
  var to = stockoutAddressed_(stockoutSetting_(raw, 'forwarder_name', ''), forwarderEmail, STOCKOUT_NO_FORWARDER);
  if (!String(forwarderEmail === null || forwarderEmail === undefined ? '' : forwarderEmail).trim()) {
    message.warnings.push(stockoutNoAddress_('forwarder_email in Settings'));
  }
  Array.prototype.push.apply(message.warnings, stockoutUntitled_(lines));
  return [draft(episodeKey('forwarder_air', '', start, 'forwarder'), 'forwarder_air', skus, '', to, message)];
}

function stockoutShortageStart_(plan, item) {
  if (item.alert === 'OUT') {
    var started = plan.incidents
      .filter(function (i) {
        return i.sku === item.sku && !i.ended;
      })
      .map(function (i) {
        return i.started;
      })
      .sort();
    if (started.length) return started[started.length - 1];
  }
  return item.stockout_date || plan.as_of;
}

function stockoutBuyerDrafts_(plan, context, draft) {
  var bySku = {};
  plan.skus.forEach(function (s) {
    bySku[s.sku] = s;
  });
  var byOrder = {};
  var order = [];
  plan.orders.forEach(function (line) {
    if (line.delayed && line.order_id) {
      var id = String(line.order_id);
      if (!(id in byOrder)) order.push(id);
      (byOrder[id] = byOrder[id] || []).push(line);
    }
  });
  var fallback = String(stockoutSetting_(plan.raw, 'language', 'en'));
  return order.map(function (id) {
    var lines = byOrder[id];
    var first = lines[0];
    var lang = stockoutBuyerLanguage_(first.language, first.marketplace, fallback);
    var dates = lines.map(function (line) {
      return line.new_date || null; // only a date a shipped batch backs
    });
    var known = dates.filter(Boolean).sort();
    var promised = lines.map(function (l) {
      return l.promised_date;
    }).filter(Boolean).sort();
    var ctx = context({
      order_id: id,
      buyer_name: first.buyer_name || '',
      items: lines.map(function (line) {
        var qty = typeof line.qty === 'number' && line.qty > 0 ? line.qty : 1;
        return {sku: line.sku, title: line.title || (bySku[line.sku] || {}).title || line.sku, qty: qty};
      }),
      promised_date: promised.length ? promised[0] : null,
      new_date: known.length === dates.length ? known[known.length - 1] : null,
      marketplace: first.marketplace || '',
      cause: stockoutDelayCause_(lines.map(function (line) {
        return bySku[line.sku] || {};
      })),
    });
    var locale = lang[1] ? lang[0] + '-' + lang[1] : lang[0];
    var message = stockoutMessage_('buyer_delay', lang[0], ctx, locale);
    if (ctx.new_date === null) message.warnings.push('no new date: no stock is planned to arrive in time');
    var skus = lines.map(function (l) {
      return l.sku;
    }).filter(function (s, i, all) {
      return all.indexOf(s) === i;
    });
    var to = stockoutAddressed_(first.buyer_name, first.buyer_email);
    return draft('buyer_delay:' + id, 'buyer_delay', skus.join(', '), id, to, message);
  });
}

function stockoutPostmortem_(plan, incident, old, context, draft, language) {
  var sku = String(incident.sku);
  var item = plan.skus.filter(function (s) {
    return s.sku === sku;
  })[0] || {};
  var notices = old.filter(function (r) {
    return r.kind === 'buyer_delay' && r.sku.split(',').map(function (s) {
      return s.trim();
    }).indexOf(sku) >= 0;
  });
  var lead = item.lead_time_days;
  var rate = item.daily_sales;
  var daysOut = incident.days_out || 0;
  var ctx = context(Object.assign({}, incident, {
    title: item.title || sku,
    safety_stock: item.safety_stock === undefined ? null : item.safety_stock,
    reorder_point: item.reorder_point === undefined ? null : item.reorder_point,
    lead_time_days: lead === undefined ? null : lead,
    order_by: lead ? Formulas.add_days(incident.started, -Math.trunc(lead)) : null,
    warn_days: plan.settings.warn_days.join('/'),
    notices_drafted: notices.length,
    notices_sent: notices.filter(function (r) {
      return r.status === 'sent';
    }).length,
    cover_units: rate && daysOut ? Math.ceil(rate * daysOut) : null,
  }));
  var message = stockoutMessage_('postmortem', language, ctx);
  return draft('postmortem:' + sku + ':' + incident.started, 'postmortem', sku, '', 'operations, purchasing, logistics', message);
}

function stockoutKeyDate_(key) {
  var last = String(key).split(':').pop();
  return /^\d{4}-\d\d-\d\d$/.test(last) ? last : null;
}

/**
 * The Drafts tab merged with what the user did to the last one (drafts.drafts_tab): rows whose
 * Status the user set, and rows without a Key, stay verbatim; a `draft` row is refreshed in
 * place (its Created and the user's columns kept) while the plan still produces it.
 */
function stockoutDraftsGrid_(plan, existing, language) {
  var spec = StockoutSchema.tabs.Drafts;
  var keys = spec.map(function (c) {
    return c.key;
  });
  var names = {};
  spec.forEach(function (c) {
    [c.header, c.zh, c.key].forEach(function (n) {
      if (n) names[stockoutNormalize_(n)] = c.key;
    });
  });
  var grid = existing ? existing.values : [];
  var formulas = existing ? existing.formulas : [];
  var ownedAt = {};
  var userAt = [];
  (grid[0] || []).forEach(function (head, i) {
    var key = names[stockoutNormalize_(head)];
    var taken = Object.keys(ownedAt).some(function (k) {
      return ownedAt[k] === key;
    });
    if (key && !taken) ownedAt[i] = key;
    else if (!stockoutBlankCell_(head)) userAt.push(i);
  });
  var old = [];
  for (var r = 1; r < grid.length; r++) {
    if (grid[r].every(stockoutBlankCell_)) continue;
    var owned = {};
    Object.keys(ownedAt).forEach(function (i) {
      owned[ownedAt[i]] = grid[r][i];
    });
    var text = function (k) {
      return String(owned[k] === undefined || owned[k] === null ? '' : owned[k]).trim();
    };
    old.push({
      owned: owned,
      user: userAt.map(function (i) {
        return formulas[r] && formulas[r][i] ? {formula: formulas[r][i]} : grid[r][i];
      }),
      key: text('key'),
      kind: text('kind'),
      sku: text('sku'),
      to: text('to'),
      status: text('status').toLowerCase(),
    });
  }
  var produced = stockoutDrafts_(plan, old);
  var byKey = {};
  produced.forEach(function (d) {
    byKey[d.key] = d;
  });
  var line = function (d, created) {
    var m = d.message;
    return [d.key, d.kind, d.sku, d.order_id, m.language, d.to, m.subject, m.body, m.warnings.join('; '), created, STOCKOUT_DRAFT];
  };
  var values = function (row) {
    return keys.map(function (k) {
      return row.owned[k] === undefined ? null : row.owned[k];
    }).concat(row.user);
  };
  var rows = [];
  var placed = {};
  old.forEach(function (row) {
    if (!row.key || (row.status !== '' && row.status !== STOCKOUT_DRAFT)) rows.push(values(row));
    else if (row.key in byKey && !placed[row.key]) rows.push(line(byKey[row.key], row.owned.created || plan.as_of).concat(row.user));
    else if (row.status === '' && !(row.key in byKey)) rows.push(values(row));
    placed[row.key] = true;
  });
  var blank = userAt.map(function () {
    return null;
  });
  produced.forEach(function (d) {
    if (!placed[d.key]) rows.push(line(d, plan.as_of).concat(blank));
  });
  var header = stockoutHeaders_('Drafts', language);
  return {
    header: header.concat(userAt.map(function (i) {
      return String(grid[0][i]).trim();
    })),
    rows: rows,
    owned: header.length,
  };
}
