/**
 * How typed text is read in the in-sheet refresh: a line-by-line port of addin/reading.py
 * (dates and numbers typed as text, read per column, then by the workbook, then by the `locale`
 * setting) and addin/names.py (SKU keys, the nearest known name, by difflib's similarity).
 *
 * The Python modules are the reference; tests/vectors/read_column.json and nearest.json hold
 * this port to them (tests/addin/google/formulas.test.js runs both). Dates are "YYYY-MM-DD"
 * text as in Formulas.gs; day order is a boolean (day first), the decimal mark "." or ",".
 */
var Reading = (function () {
  'use strict';

  var DEFAULT_LOCALE = 'en-US';
  var FIRST_DATE = '1678-01-01';
  var LAST_DATE = '2261-12-31';

  var SLASH_DATE = /^(\d{1,2})([/-])(\d{1,2})\2(\d{4})$/;
  var GROUPED_SPACE = /^\d{1,3}([ \u00a0\u202f']\d{3})+([.,]\d+)?$/;
  var MARKS = /^\d+([.,]\d+)*$/;
  var SCIENTIFIC = /^(\d+\.?\d*|\.\d+)[eE][+-]?\d+$|^(\d+|\d*\.\d{1,2}|\d*\.\d{4,})$/;

  /** Python's strip(), with full-width digits (as typed with a Chinese keyboard) as digits. */
  function clean(text) {
    return String(text)
      .trim()
      .replace(/[\uff10-\uff19]/g, function (d) {
        return String(d.charCodeAt(0) - 0xff10);
      });
  }

  var UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/gu;
  var NAMED = {'\t': '\\t', '\n': '\\n', '\r': '\\r'};

  /** Python's repr() of a string, unprintable characters escaped as Python escapes them. */
  function repr(text) {
    var quote = text.indexOf("'") >= 0 && text.indexOf('"') < 0 ? '"' : "'";
    var body = text.replace(/\\/g, '\\\\');
    if (quote === "'") body = body.replace(/'/g, "\\'");
    body = body.replace(UNPRINTABLE, function (ch) {
      if (ch === ' ') return ch;
      if (NAMED[ch]) return NAMED[ch];
      var code = ch.codePointAt(0);
      var hex = code.toString(16);
      if (code < 0x100) return '\\x' + hex.padStart(2, '0');
      if (code < 0x10000) return '\\u' + hex.padStart(4, '0');
      return '\\U' + hex.padStart(8, '0');
    });
    return quote + body + quote;
  }

  /** Python's format(x, "g"): six significant digits, trailing zeros dropped. */
  function formatG(x) {
    if (x === 0) return Object.is(x, -0) ? '-0' : '0';
    var parts = x.toExponential(5).split('e');
    var exponent = Number(parts[1]);
    if (exponent < -4 || exponent >= 6) {
      var mantissa = parts[0].replace(/\.?0+$/, '');
      return mantissa + 'e' + (exponent < 0 ? '-' : '+') + String(Math.abs(exponent)).padStart(2, '0');
    }
    return x.toFixed(5 - exponent).replace(/\.?0+$/, '');
  }

  function validDay(year, month, day) {
    var date = new Date(Date.UTC(2000, month - 1, day));
    date.setUTCFullYear(year);
    if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || year < 1 || year > 9999) return null;
    return String(year).padStart(4, '0') + '-' + String(month).padStart(2, '0') + '-' + String(day).padStart(2, '0');
  }

  /** Locale: {name, day_first, decimal}. TABLE: {"d.": "en_gb …", "d,": "de …"} (Schema.gs). */
  function parse_locale(text, table) {
    var name = (text === true ? 'True' : String(text || '')).trim() || DEFAULT_LOCALE; // Python's str(); blank is the default
    var codes = {};
    Object.keys(table).forEach(function (code) {
      table[code].split(' ').forEach(function (key) {
        codes[key] = code;
      });
    });
    var parts = name.replace(/-/g, '_').toLowerCase().split('_');
    for (var size = parts.length; size > 0; size--) {
      var found = codes[parts.slice(0, size).join('_')];
      if (found) return {name: name, day_first: found.charAt(0) === 'd', decimal: found.charAt(1)};
    }
    throw new Formulas.InputError("unknown locale '" + name + "': use a code like en-US, en-GB, de-DE");
  }

  // --- one cell's possible readings: a Map of key -> value ------------------------------------

  /** Every date TEXT can be, keyed by day-first (true/false). */
  function date_readings(text) {
    var body = clean(text);
    var found = SLASH_DATE.exec(body);
    var out = new Map();
    if (!found) {
      var day = null;
      try {
        day = Formulas.to_date(body, 'date', true);
      } catch (err) {
        if (!(err instanceof Formulas.InputError)) throw err;
      }
      if (day !== null) {
        out.set(true, day);
        out.set(false, day);
      }
      return out;
    }
    var first = Number(found[1]);
    var second = Number(found[3]);
    var year = Number(found[4]);
    var dayFirst = validDay(year, second, first);
    var monthFirst = validDay(year, first, second);
    if (dayFirst) out.set(true, dayFirst);
    if (monthFirst) out.set(false, monthFirst);
    return out;
  }

  /** Every number TEXT can be, keyed by decimal mark: "1.200" -> {".": 1.2, ",": 1200}. */
  function number_readings(text) {
    var body = clean(text);
    var sign = body.charAt(0) === '-' ? -1 : 1;
    if (body.charAt(0) === '+' || body.charAt(0) === '-') body = body.slice(1).trim();
    var out = new Map();
    if (SCIENTIFIC.test(body)) {
      out.set('.', Number(body));
      if (body.indexOf('.') < 0) out.set(',', Number(body));
    } else if (GROUPED_SPACE.test(body)) {
      var digits = body.replace(/[ \u00a0\u202f']/g, '');
      var mark = /[.,]/.exec(digits);
      var value = Number(digits.replace(',', '.'));
      if (mark) out.set(mark[0], value);
      else {
        out.set('.', value);
        out.set(',', value);
      }
    } else if (MARKS.test(body)) {
      [['.', ','], [',', '.']].forEach(function (pair) {
        var decimal = pair[0];
        var group = pair[1];
        var at = body.lastIndexOf(decimal);
        var whole = at >= 0 ? body.slice(0, at) : body;
        var fraction = at >= 0 ? body.slice(at + 1) : '';
        if (whole.indexOf(decimal) >= 0 || !whole || (at >= 0 && !/^\d+$/.test(fraction))) return;
        var groups = whole.split(group);
        var head = groups[0];
        var tail = groups.slice(1);
        if (tail.length && (head.length > 3 || head.charAt(0) === '0' || tail.some(function (g) {
          return g.length !== 3;
        }))) return;
        out.set(decimal, Number(groups.join('') + (fraction ? '.' + fraction : '')));
      });
    }
    var finite = true;
    out.forEach(function (v) {
      if (!Number.isFinite(v)) finite = false;
    });
    if (!finite) return new Map();
    out.forEach(function (v, k) {
      out.set(k, sign * v);
    });
    return out;
  }

  function evidence(readings) {
    var seen = new Set();
    readings.forEach(function (options) {
      if (options.size === 1) seen.add(options.keys().next().value);
    });
    return seen;
  }

  function ambiguous(options) {
    var values = new Set();
    options.forEach(function (v) {
      values.add(v);
    });
    return values.size > 1;
  }

  // --- columns and the workbook ---------------------------------------------------------------

  /** The workbook's reading rules (addin/reading.Reader): learn every text column first. */
  function Reader(locale) {
    this.locale = locale || {name: DEFAULT_LOCALE, day_first: false, decimal: '.'};
    this.datesSeen = new Map();
    this.marksSeen = new Map();
  }
  Reader.prototype.learnDates = function (where, texts) {
    learn(this.datesSeen, where, texts, date_readings);
  };
  Reader.prototype.learnNumbers = function (where, texts) {
    learn(this.marksSeen, where, texts, number_readings);
  };
  /** {key, note, example, row} for a column of date texts (key: day first). */
  Reader.prototype.dateColumn = function (texts, rows) {
    var readings = texts.map(date_readings);
    var settled = this.settle(readings, this.datesSeen, this.locale.day_first);
    if (settled.unsure === null) return settled.reading;
    var example = clean(texts[settled.unsure]);
    var words = settled.reading.key ? 'day first' : 'month first';
    settled.reading.note =
      'dates like ' + repr(example) + ' could be day/month or month/day: read ' + words + ' (' +
      settled.why + '); type YYYY-MM-DD or set Settings locale to say otherwise';
    settled.reading.example = example;
    settled.reading.row = rows ? rows[settled.unsure] : null;
    return settled.reading;
  };
  /** {key, note, example, row} for a column of number texts (key: the decimal mark). */
  Reader.prototype.numberColumn = function (texts, rows) {
    var readings = texts.map(number_readings);
    var settled = this.settle(readings, this.marksSeen, this.locale.decimal);
    if (settled.unsure === null) return settled.reading;
    var example = clean(texts[settled.unsure]);
    var value = readings[settled.unsure].get(settled.reading.key);
    settled.reading.note =
      'numbers like ' + repr(example) + ' could use ' + repr(settled.reading.key) +
      ' as a decimal mark or not: read ' + repr(example) + ' as ' + formatG(value) + ' (' +
      settled.why + '); set Settings locale to say otherwise';
    settled.reading.example = example;
    settled.reading.row = rows ? rows[settled.unsure] : null;
    return settled.reading;
  };
  Reader.prototype.settle = function (readings, seen, fallback) {
    var own = evidence(readings);
    if (own.size === 1) {
      return {reading: {key: own.values().next().value, note: null, example: null, row: null}, unsure: null, why: ''};
    }
    var unsure = null;
    for (var i = 0; i < readings.length; i++) {
      if (ambiguous(readings[i])) {
        unsure = i;
        break;
      }
    }
    var key;
    var why;
    if (seen.size === 1) {
      var only = seen.entries().next().value;
      key = only[0];
      why = 'as ' + only[1] + ' shows elsewhere in the workbook';
    } else {
      key = fallback;
      why = 'Settings locale ' + this.locale.name;
    }
    if (own.size === 2) why = 'the column reads both ways; ' + why;
    return {reading: {key: key, note: null, example: null, row: null}, unsure: unsure, why: why};
  };

  function learn(seen, where, texts, readingsOf) {
    texts.forEach(function (text) {
      var options = readingsOf(text);
      if (options.size === 1) {
        var key = options.keys().next().value;
        if (!seen.has(key)) seen.set(key, where + ' ' + clean(text));
      }
    });
  }

  /** One text date by its column's order: ISO text, or null. */
  function read_date(text, dayFirst) {
    var options = date_readings(text);
    if (!options.size) return null;
    return options.has(dayFirst) ? options.get(dayFirst) : options.values().next().value;
  }

  function read_number(text, decimal) {
    var options = number_readings(text);
    if (!options.size) return null;
    return options.has(decimal) ? options.get(decimal) : options.values().next().value;
  }

  /** Why DAY (ISO) cannot be planned with (null: it can), in the words Problems shows. */
  function out_of_range(day, header) {
    if (day >= FIRST_DATE && day <= LAST_DATE) return null;
    return header + ': ' + day + ' is outside the dates a plan can use (' + FIRST_DATE.slice(0, 4) + ' to ' +
      LAST_DATE.slice(0, 4) + ')';
  }

  /** The vector form of reading one column (addin/reading.read_column). */
  function read_column(kind, texts, locale, dayFirst, decimal, elsewhere) {
    var reader = new Reader({
      name: locale === undefined ? DEFAULT_LOCALE : locale,
      day_first: dayFirst === undefined ? false : dayFirst,
      decimal: decimal === undefined ? '.' : decimal,
    });
    Object.keys(elsewhere || {}).forEach(function (where) {
      if (kind === 'date') reader.learnDates(where, elsewhere[where]);
      else reader.learnNumbers(where, elsewhere[where]);
    });
    var rows = texts.map(function (_, i) {
      return i + 2;
    });
    var reading;
    var values;
    if (kind === 'date') {
      reading = reader.dateColumn(texts, rows);
      values = texts.map(function (text) {
        var day = read_date(text, Boolean(reading.key));
        return day === null || out_of_range(day, '') ? null : day;
      });
    } else {
      reading = reader.numberColumn(texts, rows);
      values = texts.map(function (text) {
        return read_number(text, String(reading.key));
      });
    }
    return {values: values, note: reading.note, row: reading.row};
  }

  // --- names (addin/names.py) -------------------------------------------------------------------

  /** The form two SKUs are compared in: no surrounding spaces, case folded (lower case: the
   * few extra foldings of Python's casefold, such as ß to ss, are not made). */
  function sku_key(value) {
    return String(value).trim().toLowerCase();
  }

  /** difflib.SequenceMatcher(None, a, b).ratio() on code points, autojunk included. */
  function ratio(a, b) {
    var b2j = new Map();
    b.forEach(function (elt, i) {
      if (!b2j.has(elt)) b2j.set(elt, []);
      b2j.get(elt).push(i);
    });
    if (b.length >= 200) {
      var ntest = Math.floor(b.length / 100) + 1;
      Array.from(b2j.keys()).forEach(function (elt) {
        if (b2j.get(elt).length > ntest) b2j.delete(elt);
      });
    }
    var longest = function (alo, ahi, blo, bhi) {
      var besti = alo;
      var bestj = blo;
      var bestsize = 0;
      var j2len = new Map();
      for (var i = alo; i < ahi; i++) {
        var next = new Map();
        var js = b2j.get(a[i]) || [];
        for (var n = 0; n < js.length; n++) {
          var j = js[n];
          if (j < blo) continue;
          if (j >= bhi) break;
          var k = (j2len.get(j - 1) || 0) + 1;
          next.set(j, k);
          if (k > bestsize) {
            besti = i - k + 1;
            bestj = j - k + 1;
            bestsize = k;
          }
        }
        j2len = next;
      }
      while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) {
        besti -= 1;
        bestj -= 1;
        bestsize += 1;
      }
      while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] === b[bestj + bestsize]) {
        bestsize += 1;
      }
      return [besti, bestj, bestsize];
    };
    var matches = 0;
    var queue = [[0, a.length, 0, b.length]];
    while (queue.length) {
      var q = queue.pop();
      var found = longest(q[0], q[1], q[2], q[3]);
      var i = found[0];
      var j = found[1];
      var k = found[2];
      if (k) {
        matches += k;
        if (q[0] < i && q[2] < j) queue.push([q[0], i, q[2], j]);
        if (i + k < q[1] && j + k < q[3]) queue.push([i + k, q[1], j + k, q[3]]);
      }
    }
    var total = a.length + b.length;
    return total ? (2.0 * matches) / total : 1.0;
  }

  /** The known name closest to NAME (case and spaces ignored), or null if none is close. */
  function nearest(name, known, cutoff) {
    cutoff = cutoff === undefined ? 0.6 : cutoff;
    var byKey = new Map();
    known.forEach(function (item) {
      if (item === null || item === undefined || item === '') return;
      var key = sku_key(item);
      if (!byKey.has(key)) byKey.set(key, String(item));
    });
    var word = Array.from(sku_key(name));
    var best = null;
    byKey.forEach(function (shown, key) {
      var score = ratio(Array.from(key), word);
      if (score < cutoff) return;
      if (best === null || score > best[0] || (score === best[0] && key > best[1])) best = [score, key];
    });
    return best === null ? null : byKey.get(best[1]);
  }

  /** The refusal for an input tab the workbook lacks (names.missing_tab); null: none. */
  function missing_tab(tab, others, required) {
    var near = nearest(tab, others, 0.75);
    if (near === null && !required) return null;
    var hint = near ? ' (is ' + repr(near) + ' it? rename it to ' + repr(tab) + ')' : '';
    return 'the workbook has no ' + repr(tab) + ' tab' + hint + '; `stockout new FILE` shows every tab. ' +
      'Nothing was changed.';
  }

  /** The refusal for required columns a tab lacks (names.missing_columns). */
  function missing_columns(tab, missing, seen) {
    var names = seen.filter(function (h) {
      return h !== null && h !== undefined && h !== '';
    }).map(String);
    var hints = [];
    missing.forEach(function (m) {
      var n = nearest(m, names);
      if (n) hints.push('is ' + repr(n) + ' it? rename it to ' + repr(m));
    });
    return tab + ': required column ' + missing.map(repr).join(', ') + ' not found' +
      (hints.length ? ' (' + hints.join('; ') + ')' : '') +
      '; headers seen: ' + (names.join(', ') || 'none') + '. Nothing was changed.';
  }

  /** The Problems text for rows of a SKU Inventory does not have (lite_tabs.unknown_sku). */
  function unknown_sku(rows, near) {
    var hint = near ? ' (did you mean ' + repr(near) + '?)' : '';
    return 'SKU is not on the Inventory tab' + hint + ': its ' + rows + ' row(s) are ignored';
  }

  return {
    DEFAULT_LOCALE: DEFAULT_LOCALE,
    format_g: formatG,
    py_repr: repr,
    missing_tab: missing_tab,
    missing_columns: missing_columns,
    unknown_sku: unknown_sku,
    FIRST_DATE: FIRST_DATE,
    LAST_DATE: LAST_DATE,
    Reader: Reader,
    parse_locale: parse_locale,
    date_readings: date_readings,
    number_readings: number_readings,
    read_date: read_date,
    read_number: read_number,
    out_of_range: out_of_range,
    read_column: read_column,
    sku_key: sku_key,
    nearest: nearest,
  };
})();
