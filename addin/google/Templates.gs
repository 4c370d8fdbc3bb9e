/**
 * The message templates (templates/messages/*.txt.j2, shipped in Schema.gs) rendered in Apps
 * Script: the part of Jinja2 those files use, with the Python side's settings (trim_blocks,
 * lstrip_blocks, no trailing newline, undefined names are errors) and filters (`date`, `money`,
 * `number`, `priced` in the message's language, through Intl as babel does in Python).
 *
 * Supported: {{ expr }}, {% if/elif/else %}, {% for x in xs [if cond] %} with {% else %} and
 * `loop`, {% set %}, {% macro %} and calls, {# comments #}; expressions with literals, lists,
 * attributes, items, slices, string methods (startswith, endswith, upper, lower, strip),
 * filters with arguments, `is [not] none/defined`, not/and/or, comparisons, `in`, + - * / ~,
 * and `a if cond else b`. Python's truthiness and printing (None, True) are kept.
 */

function StockoutTemplateError_(message) {
  this.name = 'TemplateError';
  this.message = message;
}
StockoutTemplateError_.prototype = Object.create(Error.prototype);

/** Renders template TEXT with CONTEXT (an object); FILTERS adds or replaces filters. */
var STOCKOUT_PARSED_TEMPLATES = new Map();

function stockoutRender_(text, context, filters) {
  var nodes = STOCKOUT_PARSED_TEMPLATES.get(text);
  if (!nodes) {
    nodes = stockoutParseTemplate_(stockoutTokenize_(text));
    STOCKOUT_PARSED_TEMPLATES.set(text, nodes);
  }
  var scope = Object.create(null);
  Object.keys(context).forEach(function (k) {
    scope[k] = context[k];
  });
  var out = stockoutRun_(nodes, {vars: scope, filters: Object.assign({}, STOCKOUT_FILTERS, filters || {})});
  return out.replace(/\n$/, '');
}

// --- lexing: text and tags, with trim_blocks and lstrip_blocks ---------------------------

function stockoutTokenize_(text) {
  var tokens = [];
  var re = /\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}|\{#[\s\S]*?#\}/g;
  var last = 0;
  var match;
  var trimNext = false;
  while ((match = re.exec(text))) {
    var before = text.slice(last, match.index);
    var block = match[1] === undefined;
    if (trimNext) before = before.replace(/^\r?\n/, '');
    if (block) before = before.replace(/(^|\n)[ \t]*$/, '$1'); // lstrip_blocks
    if (before) tokens.push({type: 'text', value: before});
    if (match[1] !== undefined) tokens.push({type: 'out', value: match[1].trim()});
    else if (match[2] !== undefined) tokens.push({type: 'tag', value: match[2].trim()});
    trimNext = block; // trim_blocks: the newline after a block tag (and a comment) goes
    last = re.lastIndex;
  }
  var rest = text.slice(last);
  if (trimNext) rest = rest.replace(/^\r?\n/, '');
  if (rest) tokens.push({type: 'text', value: rest});
  return tokens;
}

function stockoutParseTemplate_(tokens) {
  var pos = 0;
  function parseUntil(ends) {
    var nodes = [];
    while (pos < tokens.length) {
      var t = tokens[pos];
      if (t.type === 'text') {
        nodes.push({type: 'text', value: t.value});
        pos++;
      } else if (t.type === 'out') {
        nodes.push({type: 'out', expr: stockoutParseExpr_(t.value)});
        pos++;
      } else {
        var word = t.value.split(/\s+/)[0];
        if (ends.indexOf(word) >= 0) return nodes;
        pos++;
        nodes.push(parseTag(word, t.value.slice(word.length).trim()));
      }
    }
    if (ends.length) throw new StockoutTemplateError_('missing {% ' + ends[ends.length - 1] + ' %}');
    return nodes;
  }
  function tagWord() {
    return tokens[pos].value.split(/\s+/)[0];
  }
  function parseTag(word, rest) {
    if (word === 'if') {
      var branches = [{cond: stockoutParseExpr_(rest), body: parseUntil(['elif', 'else', 'endif'])}];
      var otherwise = [];
      while (tagWord() === 'elif') {
        var cond = stockoutParseExpr_(tokens[pos++].value.slice(4).trim());
        branches.push({cond: cond, body: parseUntil(['elif', 'else', 'endif'])});
      }
      if (tagWord() === 'else') {
        pos++;
        otherwise = parseUntil(['endif']);
      }
      pos++;
      return {type: 'if', branches: branches, otherwise: otherwise};
    }
    if (word === 'for') {
      var m = /^(\w+(?:\s*,\s*\w+)*)\s+in\s+([\s\S]+)$/.exec(rest);
      if (!m) throw new StockoutTemplateError_('bad for: ' + rest);
      var split = stockoutSplitIf_(m[2]);
      var node = {
        type: 'for',
        names: m[1].split(/\s*,\s*/),
        iter: stockoutParseExpr_(split[0]),
        filter: split[1] ? stockoutParseExpr_(split[1]) : null,
        body: parseUntil(['else', 'endfor']),
        otherwise: [],
      };
      if (tagWord() === 'else') {
        pos++;
        node.otherwise = parseUntil(['endfor']);
      }
      pos++;
      return node;
    }
    if (word === 'set') {
      var eq = /^(\w+)\s*=\s*([\s\S]+)$/.exec(rest);
      if (!eq) throw new StockoutTemplateError_('bad set: ' + rest);
      return {type: 'set', name: eq[1], expr: stockoutParseExpr_(eq[2])};
    }
    if (word === 'macro') {
      var mm = /^(\w+)\s*\(([^)]*)\)$/.exec(rest);
      if (!mm) throw new StockoutTemplateError_('bad macro: ' + rest);
      var params = mm[2].split(',').map(function (p) {
        return p.trim();
      }).filter(Boolean);
      var body = parseUntil(['endmacro']);
      pos++;
      return {type: 'macro', name: mm[1], params: params, body: body};
    }
    throw new StockoutTemplateError_('unknown tag {% ' + word + ' %}');
  }
  return parseUntil([]);
}

/** "x in xs if cond": the iterable and the condition, split at a top-level `if`. */
function stockoutSplitIf_(text) {
  var depth = 0;
  var quote = null;
  for (var i = 0; i < text.length; i++) {
    var c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if ('([{'.indexOf(c) >= 0) depth++;
    else if (')]}'.indexOf(c) >= 0) depth--;
    else if (depth === 0 && /\sif\s/.test(text.slice(i - 1, i + 3)) && c === 'i') {
      return [text.slice(0, i).trim(), text.slice(i + 2).trim()];
    }
  }
  return [text, null];
}

// --- expressions ----------------------------------------------------------------------------

function stockoutLexExpr_(text) {
  var re = /\s*(?:(\d+(?:\.\d+)?)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|([A-Za-z_]\w*)|(==|!=|<=|>=|\/\/|[-+*/%~<>()[\]{}.,:|=]))/y;
  var tokens = [];
  var m;
  re.lastIndex = 0;
  while (re.lastIndex < text.length && (m = re.exec(text))) {
    if (m[1] !== undefined) tokens.push({t: 'num', v: Number(m[1])});
    else if (m[2] !== undefined) tokens.push({t: 'str', v: m[2].slice(1, -1).replace(/\\(.)/g, '$1')});
    else if (m[3] !== undefined) tokens.push({t: 'name', v: m[3]});
    else if (m[4] !== undefined) tokens.push({t: 'op', v: m[4]});
    if (/^\s*$/.test(text.slice(re.lastIndex))) break;
  }
  if (re.lastIndex < text.trimEnd().length) throw new StockoutTemplateError_('cannot read the expression ' + text);
  return tokens;
}

function stockoutParseExpr_(text) {
  var tokens = stockoutLexExpr_(text);
  var pos = 0;
  var peek = function (v) {
    var t = tokens[pos];
    return t && (t.t === 'op' || t.t === 'name') && t.v === v;
  };
  var take = function (v) {
    if (!peek(v)) throw new StockoutTemplateError_('expected ' + v + ' in ' + text);
    pos++;
  };
  function ternary() {
    var value = or();
    if (peek('if')) {
      pos++;
      var cond = or();
      var other = {k: 'lit', v: null};
      if (peek('else')) {
        pos++;
        other = ternary();
      }
      return {k: 'if', cond: cond, yes: value, no: other};
    }
    return value;
  }
  function or() {
    var left = and();
    while (peek('or')) {
      pos++;
      left = {k: 'or', a: left, b: and()};
    }
    return left;
  }
  function and() {
    var left = not();
    while (peek('and')) {
      pos++;
      left = {k: 'and', a: left, b: not()};
    }
    return left;
  }
  function not() {
    if (peek('not')) {
      pos++;
      return {k: 'not', a: not()};
    }
    return compare();
  }
  function compare() {
    var left = concat();
    for (;;) {
      var t = tokens[pos];
      if (!t) return left;
      if (t.t === 'op' && ['==', '!=', '<', '>', '<=', '>='].indexOf(t.v) >= 0) {
        pos++;
        left = {k: 'cmp', op: t.v, a: left, b: concat()};
      } else if (peek('in')) {
        pos++;
        left = {k: 'in', a: left, b: concat()};
      } else if (peek('not') && tokens[pos + 1] && tokens[pos + 1].v === 'in') {
        pos += 2;
        left = {k: 'not', a: {k: 'in', a: left, b: concat()}};
      } else if (peek('is')) {
        pos++;
        var negate = false;
        if (peek('not')) {
          pos++;
          negate = true;
        }
        var test = tokens[pos++].v;
        left = {k: 'test', test: test, a: left, negate: negate};
      } else {
        return left;
      }
    }
  }
  function concat() {
    var left = add();
    while (peek('~')) {
      pos++;
      left = {k: 'op', op: '~', a: left, b: add()};
    }
    return left;
  }
  function add() {
    var left = mul();
    while (peek('+') || peek('-')) {
      var op = tokens[pos++].v;
      left = {k: 'op', op: op, a: left, b: mul()};
    }
    return left;
  }
  function mul() {
    var left = unary();
    while (peek('*') || peek('/') || peek('//') || peek('%')) {
      var op = tokens[pos++].v;
      left = {k: 'op', op: op, a: left, b: unary()};
    }
    return left;
  }
  function unary() {
    if (peek('-')) {
      pos++;
      return {k: 'neg', a: unary()};
    }
    return filtered();
  }
  function filtered() {
    var value = postfix();
    while (peek('|')) {
      pos++;
      var name = tokens[pos++].v;
      var args = [];
      if (peek('(')) args = callArgs();
      value = {k: 'filter', name: name, a: value, args: args};
    }
    return value;
  }
  function callArgs() {
    take('(');
    var args = [];
    while (!peek(')')) {
      args.push(ternary());
      if (peek(',')) pos++;
    }
    take(')');
    return args;
  }
  function postfix() {
    var value = primary();
    for (;;) {
      if (peek('.')) {
        pos++;
        value = {k: 'attr', a: value, name: tokens[pos++].v};
      } else if (peek('[')) {
        pos++;
        var start = peek(':') ? null : ternary();
        if (peek(':')) {
          pos++;
          var end = peek(']') ? null : ternary();
          take(']');
          value = {k: 'slice', a: value, start: start, end: end};
        } else {
          take(']');
          value = {k: 'item', a: value, key: start};
        }
      } else if (peek('(')) {
        value = {k: 'call', f: value, args: callArgs()};
      } else {
        return value;
      }
    }
  }
  function primary() {
    var t = tokens[pos++];
    if (!t) throw new StockoutTemplateError_('unexpected end of ' + text);
    if (t.t === 'num' || t.t === 'str') return {k: 'lit', v: t.v};
    if (t.t === 'name') {
      var words = {true: true, True: true, false: false, False: false, none: null, None: null};
      if (t.v in words) return {k: 'lit', v: words[t.v]};
      return {k: 'name', name: t.v};
    }
    if (t.v === '(') {
      var inner = ternary();
      take(')');
      return inner;
    }
    if (t.v === '[') {
      var items = [];
      while (!peek(']')) {
        items.push(ternary());
        if (peek(',')) pos++;
      }
      take(']');
      return {k: 'list', items: items};
    }
    throw new StockoutTemplateError_('unexpected ' + t.v + ' in ' + text);
  }
  var tree = ternary();
  if (pos < tokens.length) throw new StockoutTemplateError_('unexpected ' + tokens[pos].v + ' in ' + text);
  return tree;
}

// --- evaluation with Python's semantics -------------------------------------------------

function stockoutTruthy_(value) {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === 'object' && !(value instanceof Date)) return Object.keys(value).length > 0;
  return Boolean(value);
}

/** str() as Python prints it: None, True, 3, 2.5, lists as [..]. */
function stockoutStr_(value) {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  return String(value);
}

function stockoutEval_(node, env) {
  switch (node.k) {
    case 'lit':
      return node.v;
    case 'list':
      return node.items.map(function (item) {
        return stockoutEval_(item, env);
      });
    case 'name':
      if (!(node.name in env.vars)) throw new StockoutTemplateError_("'" + node.name + "' is undefined");
      return env.vars[node.name];
    case 'attr':
    case 'item': {
      var base = stockoutEval_(node.a, env);
      var key = node.k === 'attr' ? node.name : stockoutEval_(node.key, env);
      if (typeof base === 'string' && node.k === 'attr') return stockoutStringMethod_(base, key);
      if (base === null || base === undefined) throw new StockoutTemplateError_("'None' has no attribute '" + key + "'");
      if (Array.isArray(base) && typeof key === 'number') return base[key < 0 ? base.length + key : key];
      if (!(key in Object(base))) throw new StockoutTemplateError_("'dict object' has no attribute '" + key + "'");
      return base[key];
    }
    case 'slice': {
      var seq = stockoutEval_(node.a, env);
      var start = node.start ? stockoutEval_(node.start, env) : undefined;
      var end = node.end ? stockoutEval_(node.end, env) : undefined;
      return seq.slice(start, end);
    }
    case 'call': {
      var f = stockoutEval_(node.f, env);
      if (typeof f !== 'function') throw new StockoutTemplateError_('not callable');
      return f.apply(null, node.args.map(function (a) {
        return stockoutEval_(a, env);
      }));
    }
    case 'filter': {
      var filter = env.filters[node.name];
      if (!filter) throw new StockoutTemplateError_("no filter named '" + node.name + "'");
      return filter.apply(null, [stockoutEval_(node.a, env), env.vars].concat(node.args.map(function (a) {
        return stockoutEval_(a, env);
      })));
    }
    case 'if':
      return stockoutTruthy_(stockoutEval_(node.cond, env)) ? stockoutEval_(node.yes, env) : stockoutEval_(node.no, env);
    case 'or': {
      var a = stockoutEval_(node.a, env);
      return stockoutTruthy_(a) ? a : stockoutEval_(node.b, env);
    }
    case 'and': {
      var first = stockoutEval_(node.a, env);
      return stockoutTruthy_(first) ? stockoutEval_(node.b, env) : first;
    }
    case 'not':
      return !stockoutTruthy_(stockoutEval_(node.a, env));
    case 'neg':
      return -stockoutEval_(node.a, env);
    case 'in': {
      var needle = stockoutEval_(node.a, env);
      var hay = stockoutEval_(node.b, env);
      if (typeof hay === 'string') return hay.indexOf(needle) >= 0;
      if (Array.isArray(hay)) return hay.indexOf(needle) >= 0;
      return hay !== null && needle in hay;
    }
    case 'test': {
      var value = stockoutEval_(node.a, env);
      var tests = {
        none: value === null,
        defined: value !== undefined,
        number: typeof value === 'number',
        string: typeof value === 'string',
      };
      if (!(node.test in tests)) throw new StockoutTemplateError_("no test named '" + node.test + "'");
      return node.negate ? !tests[node.test] : tests[node.test];
    }
    case 'cmp': {
      var x = stockoutEval_(node.a, env);
      var y = stockoutEval_(node.b, env);
      if (node.op === '==') return x === y;
      if (node.op === '!=') return x !== y;
      if (x === null || y === null) throw new StockoutTemplateError_("'" + node.op + "' not supported with None");
      return {'<': x < y, '>': x > y, '<=': x <= y, '>=': x >= y}[node.op];
    }
    case 'op': {
      var l = stockoutEval_(node.a, env);
      var r = stockoutEval_(node.b, env);
      if (node.op === '~') return stockoutStr_(l) + stockoutStr_(r);
      if (node.op === '+') return l + r;
      if (node.op === '-') return l - r;
      if (node.op === '*') return l * r;
      if (node.op === '/') return l / r;
      if (node.op === '//') return Math.floor(l / r);
      return ((l % r) + r) % r;
    }
  }
  throw new StockoutTemplateError_('cannot evaluate ' + node.k);
}

function stockoutStringMethod_(text, name) {
  var methods = {
    startswith: function (p) {
      return text.startsWith(p);
    },
    endswith: function (p) {
      return text.endsWith(p);
    },
    upper: function () {
      return text.toUpperCase();
    },
    lower: function () {
      return text.toLowerCase();
    },
    strip: function () {
      return text.trim();
    },
  };
  if (!(name in methods)) throw new StockoutTemplateError_("'str object' has no attribute '" + name + "'");
  return methods[name];
}

function stockoutRun_(nodes, env) {
  var out = '';
  nodes.forEach(function (node) {
    if (node.type === 'text') out += node.value;
    else if (node.type === 'out') out += stockoutStr_(stockoutEval_(node.expr, env));
    else if (node.type === 'set') env.vars[node.name] = stockoutEval_(node.expr, env);
    else if (node.type === 'if') {
      var done = node.branches.some(function (b) {
        if (!stockoutTruthy_(stockoutEval_(b.cond, env))) return false;
        out += stockoutRun_(b.body, env);
        return true;
      });
      if (!done) out += stockoutRun_(node.otherwise, env);
    } else if (node.type === 'for') {
      var items = stockoutEval_(node.iter, env) || [];
      var saved = Object.assign(Object.create(null), env.vars);
      var bind = function (item) {
        if (node.names.length === 1) env.vars[node.names[0]] = item;
        else node.names.forEach(function (n, i) {
          env.vars[n] = item[i];
        });
      };
      var kept = items.filter(function (item) {
        if (!node.filter) return true;
        bind(item);
        return stockoutTruthy_(stockoutEval_(node.filter, env));
      });
      kept.forEach(function (item, i) {
        bind(item);
        env.vars.loop = {index: i + 1, index0: i, first: i === 0, last: i === kept.length - 1, length: kept.length};
        out += stockoutRun_(node.body, env);
      });
      env.vars = saved;
      if (!kept.length) out += stockoutRun_(node.otherwise, env);
    } else if (node.type === 'macro') {
      env.vars[node.name] = function () {
        var args = arguments;
        var vars = Object.assign(Object.create(null), env.vars);
        node.params.forEach(function (p, i) {
          vars[p] = args[i];
        });
        return stockoutRun_(node.body, {vars: vars, filters: env.filters});
      };
    }
  });
  return out;
}

// --- filters: dates, money and numbers in the message's language ------------------------

function stockoutIsoDay_(value) {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return typeof value === 'string' && /^\d{4}-\d\d-\d\d/.test(value) ? value.slice(0, 10) : null;
}

function stockoutLocaleTag_(locale) {
  return String(locale || 'en').replace('_', '-');
}

var STOCKOUT_FORMATTERS = new Map();

/** Intl formatters are slow to make: one per locale and kind. */
function stockoutFormatter_(kind, locale, make) {
  var key = kind + '|' + locale;
  if (!STOCKOUT_FORMATTERS.has(key)) STOCKOUT_FORMATTERS.set(key, make(stockoutLocaleTag_(locale)));
  return STOCKOUT_FORMATTERS.get(key);
}

var STOCKOUT_FILTERS = {
  date: function (value, vars) {
    var day = stockoutIsoDay_(value);
    if (day === null) return value === null || value === undefined ? '' : String(value);
    var format = stockoutFormatter_('date', vars.locale, function (tag) {
      return new Intl.DateTimeFormat(tag, {dateStyle: 'long', timeZone: 'UTC'});
    });
    return format.format(new Date(day + 'T00:00:00Z'));
  },
  money: function (value, vars) {
    if (value === null || value === undefined || Number.isNaN(value)) return '';
    var currency = vars.currency || 'USD';
    var format = stockoutFormatter_('money ' + currency, vars.locale, function (tag) {
      return new Intl.NumberFormat(tag, {style: 'currency', currency: currency});
    });
    return format.format(value);
  },
  /** The amounts of a text in the currency (messages.priced): two decimals mark money. */
  priced: function (value, vars) {
    if (value === null || value === undefined) return '';
    return String(value).replace(/(?<![\d.,])-?\d{1,3}(?:,\d{3})*\.\d\d(?![\d.])/g, function (amount) {
      return STOCKOUT_FILTERS.money(Number(amount.replace(/,/g, '')), vars);
    });
  },
  number: function (value, vars) {
    if (value === null || value === undefined || Number.isNaN(value)) return '';
    return stockoutFormatter_('number', vars.locale, function (tag) {
      return new Intl.NumberFormat(tag, {maximumFractionDigits: 1});
    }).format(value);
  },
  length: function (value) {
    return value.length;
  },
  join: function (value, vars, sep) {
    return value.map(stockoutStr_).join(sep === undefined ? '' : sep);
  },
  round: function (value, vars, digits) {
    var scale = Math.pow(10, digits || 0);
    return Math.round(value * scale) / scale;
  },
  int: function (value) {
    return Math.trunc(Number(value)) || 0;
  },
  default: function (value, vars, fallback) {
    return value === null || value === undefined ? fallback : value;
  },
  upper: function (value) {
    return String(value).toUpperCase();
  },
  lower: function (value) {
    return String(value).toLowerCase();
  },
};
