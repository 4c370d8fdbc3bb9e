'use strict';
/**
 * The stand-in's calculation engine: computes the formulas a FakeSpreadsheet holds, as Google
 * Sheets would, for the functions the bundle's Planner writes. Custom functions are the
 * bundle's own (called in the script context, once per formula, with ranges as rows of values
 * and date cells as Dates, as Sheets calls them); the built-ins are ARRAYFORMULA, IF, OR,
 * ISNUMBER, MIN, TODAY, SUMIFS, COUNTIFS and MINIFS, with Sheets' rules for blanks, dates
 * (serial days), text comparison (case-insensitive) and criteria (">="&date, FALSE, a SKU).
 * Anything else is an error, so a formula the engine does not know cannot pass unnoticed.
 *
 * Outside ARRAYFORMULA a range can only be a function's range argument: a range where one
 * value is wanted is an error here (Sheets would take one cell of it), so a Planner formula
 * that forgot ARRAYFORMULA fails its test. A formula giving rows spills them down and right.
 */
const vm = require('node:vm');
const {formatDate, parseDate} = require('./gas_context');

const DAY_MS = 86400000;
const EPOCH = Date.UTC(1899, 11, 30);

class SheetError {
  constructor(code, why) {
    this.code = code;
    this.why = why;
  }
  toString() {
    return this.code + (this.why ? ' (' + this.why + ')' : '');
  }
}

function tokenize(text) {
  const tokens = [];
  const pattern =
    /\s+|("(?:[^"]|"")*")|((?:'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_ ]*?)!\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?|\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)(?![A-Za-z0-9_(])|(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_.]*)|(<>|<=|>=|[-+*/&=<>(),])/y;
  let at = 0;
  while (at < text.length) {
    pattern.lastIndex = at;
    const m = pattern.exec(text);
    if (!m) throw new Error('cannot read the formula at: ' + text.slice(at, at + 30));
    at = pattern.lastIndex;
    if (m[1] !== undefined) tokens.push({type: 'str', value: m[1].slice(1, -1).replace(/""/g, '"')});
    else if (m[2] !== undefined) tokens.push({type: 'ref', value: m[2]});
    else if (m[3] !== undefined) tokens.push({type: 'num', value: Number(m[3])});
    else if (m[4] !== undefined) tokens.push({type: 'name', value: m[4].toUpperCase()});
    else if (m[5] !== undefined) tokens.push({type: 'op', value: m[5]});
  }
  return tokens;
}

/** Formula text (without "=") -> a tree of {op|fn|ref|lit|omit}. */
function parse(text) {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const take = (value) => {
    const t = tokens[i++];
    if (!t || (value !== undefined && t.value !== value)) throw new Error('expected ' + value + ' in ' + text);
    return t;
  };
  const binary = (next, ops) => () => {
    let left = next();
    while (peek() && peek().type === 'op' && ops.includes(peek().value)) {
      const op = take().value;
      left = {op, args: [left, next()]};
    }
    return left;
  };
  const primary = () => {
    const t = take();
    if (t.type === 'num' || t.type === 'str') return {lit: t.value};
    if (t.type === 'ref') return {ref: t.value};
    if (t.type === 'op' && t.value === '-') return {op: 'neg', args: [primary()]};
    if (t.type === 'op' && t.value === '(') {
      const inner = compare();
      take(')');
      return inner;
    }
    if (t.type === 'name' && (t.value === 'TRUE' || t.value === 'FALSE') && !(peek() && peek().value === '(')) {
      return {lit: t.value === 'TRUE'};
    }
    if (t.type === 'name') {
      take('(');
      const args = [];
      if (peek().value !== ')') {
        for (;;) {
          args.push(peek().value === ',' || peek().value === ')' ? {omit: true} : compare());
          if (peek().value === ')') break;
          take(',');
        }
      }
      take(')');
      return {fn: t.value, args};
    }
    throw new Error('unexpected ' + t.value + ' in ' + text);
  };
  const multiplicative = binary(primary, ['*', '/']);
  const additive = binary(multiplicative, ['+', '-']);
  const concat = binary(additive, ['&']);
  const compare = binary(concat, ['=', '<>', '<', '<=', '>', '>=']);
  const tree = compare();
  if (i !== tokens.length) throw new Error('left over in ' + text + ': ' + tokens[i].value);
  return tree;
}

/** 'A' -> 1, 'AB' -> 28. */
function columnNumber(letters) {
  return [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
}

/**
 * Computes every formula of SPREADSHEET (a FakeSpreadsheet loaded by loadGas as LOADED) and
 * writes the values into its cells, a spill filling the cells below and to the right.
 */
function recalculate(spreadsheet, loaded) {
  const zone = spreadsheet.getSpreadsheetTimeZone();
  const isDate = (v) => Object.prototype.toString.call(v) === '[object Date]';
  const serials = new Map(); // the zone's calendar day of an instant, found once per instant
  const serial = (date) => {
    const at = date.getTime();
    if (!serials.has(at)) serials.set(at, (Date.parse(formatDate(date, zone, 'yyyy-MM-dd') + 'T00:00:00Z') - EPOCH) / DAY_MS);
    return serials.get(at);
  };
  const dateOf = (number) =>
    loaded.contextDate(parseDate(new Date(EPOCH + Math.floor(number) * DAY_MS).toISOString().slice(0, 10), zone, 'yyyy-MM-dd'));
  const state = new Map(); // "sheet|row,col" of a formula -> 'running' | 'done'

  const isRange = (v) => Array.isArray(v);
  const blank = (v) => v === '' || v === null || v === undefined;
  const number = (v) => {
    if (v instanceof SheetError) throw v;
    if (isDate(v)) return serial(v);
    if (blank(v)) return 0;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'number') return v;
    const n = Number(String(v).trim());
    if (String(v).trim() === '' || Number.isNaN(n)) throw new SheetError('#VALUE!', 'not a number: ' + v);
    return n;
  };
  const text = (v) => {
    if (v instanceof SheetError) throw v;
    if (isDate(v)) return String(serial(v));
    if (blank(v)) return '';
    if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
    return String(v);
  };
  const rank = (v) => (typeof v === 'boolean' ? 2 : typeof v === 'string' ? 1 : 0);
  const compare = (a, b) => {
    if (a instanceof SheetError) throw a;
    if (b instanceof SheetError) throw b;
    // A blank is "" (text) beside a number: 0="" is FALSE, as for a cell holding 0 in Sheets.
    if (blank(a) && blank(b)) return 0;
    if (blank(a)) a = typeof b === 'boolean' ? false : '';
    if (blank(b)) b = typeof a === 'boolean' ? false : '';
    if (isDate(a)) a = serial(a);
    if (isDate(b)) b = serial(b);
    if (rank(a) !== rank(b)) return rank(a) - rank(b);
    if (typeof a === 'string') {
      const x = a.toLowerCase();
      const y = b.toLowerCase();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  };
  const OPS = {
    '+': (a, b) => number(a) + number(b),
    '-': (a, b) => number(a) - number(b),
    '*': (a, b) => number(a) * number(b),
    '/': (a, b) => {
      if (number(b) === 0) throw new SheetError('#DIV/0!');
      return number(a) / number(b);
    },
    '&': (a, b) => text(a) + text(b),
    '=': (a, b) => compare(a, b) === 0,
    '<>': (a, b) => compare(a, b) !== 0,
    '<': (a, b) => compare(a, b) < 0,
    '<=': (a, b) => compare(a, b) <= 0,
    '>': (a, b) => compare(a, b) > 0,
    '>=': (a, b) => compare(a, b) >= 0,
    neg: (a) => -number(a),
  };
  /** FN over the values (cells of ranges, broadcast) of ARGS; errors stay in their cell. */
  const elementwise = (ctx, fn, args) => {
    const ranges = args.filter(isRange);
    if (!ranges.length) return safe(() => fn(...args));
    if (!ctx.array) throw new Error('a range where one value is wanted: wrap the formula in ARRAYFORMULA');
    const rows = Math.max(...ranges.map((r) => r.length));
    const cols = Math.max(...ranges.map((r) => r[0].length));
    for (const r of ranges) {
      if ((r.length !== 1 && r.length !== rows) || (r[0].length !== 1 && r[0].length !== cols)) {
        throw new Error(`array arguments of different sizes: ${r.length}×${r[0].length} and ${rows}×${cols}`);
      }
    }
    const at = (v, i, j) => (isRange(v) ? v[v.length > 1 ? i : 0][v[0].length > 1 ? j : 0] : v);
    return Array.from({length: rows}, (_, i) =>
      Array.from({length: cols}, (_, j) => safe(() => fn(...args.map((v) => at(v, i, j))))),
    );
  };
  const safe = (compute) => {
    try {
      return compute();
    } catch (err) {
      if (err instanceof SheetError) return err;
      throw err;
    }
  };

  /** REF (seen from SHEET) as {target, r1, c1, r2, c2, range}, its columns computed. */
  const locate = (sheet, ref) => {
    const m = /^(?:(?:'((?:[^']|'')+)'|([^!]+))!)?\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$/.exec(ref);
    const name = m[1] !== undefined ? m[1].replace(/''/g, "'") : m[2];
    const target = name === undefined ? sheet : spreadsheet.getSheetByName(name);
    if (!target) throw new SheetError('#REF!', 'no sheet ' + name);
    const c1 = columnNumber(m[3]);
    const r1 = Number(m[4]);
    const at = {target, r1, c1, r2: m[6] ? Number(m[6]) : r1, c2: m[5] ? columnNumber(m[5]) : c1, range: Boolean(m[5])};
    for (let c = at.c1; c <= at.c2; c++) settleColumn(target, c);
    return at;
  };
  const ranges = new Map();
  const read = ({target, r1, c1, r2, c2, range}) => {
    const key = [target.getName(), r1, c1, r2, c2].join('|');
    if (range && ranges.has(key)) return ranges.get(key); // settled: final for this calculation
    const rows = [];
    for (let r = r1; r <= r2; r++) {
      const row = [];
      for (let c = c1; c <= c2; c++) row.push(target.cell(r, c));
      rows.push(row);
    }
    if (range) ranges.set(key, rows);
    return range ? rows : rows[0][0];
  };
  const volatile = new Set(); // "sheet|row,col" of the cells computed from TODAY()
  const isVolatile = ({target, r1, c1, r2, c2}) =>
    [...volatile].some((key) => {
      const [tab, at] = key.split('|');
      const [r, c] = at.split(',').map(Number);
      return tab === target.getName() && r1 <= r && r <= r2 && c1 <= c && c <= c2;
    });
  const flats = new WeakMap();
  const flat = (v) => {
    if (!isRange(v)) return [v];
    if (!flats.has(v)) flats.set(v, v.flat());
    return flats.get(v);
  };
  const matcher = (criterion) => {
    if (typeof criterion === 'boolean' || typeof criterion === 'number' || isDate(criterion)) {
      return (cell) => !blank(cell) && compare(cell, criterion) === 0 && rank(cell) === rank(criterion);
    }
    const m = /^(<>|<=|>=|<|>|=)?(.*)$/s.exec(text(criterion));
    const op = m[1] || '=';
    const wanted = m[2];
    const asNumber = wanted.trim() !== '' && !Number.isNaN(Number(wanted)) ? Number(wanted) : null;
    return (cell) => {
      let order;
      if (asNumber !== null) {
        if (!(typeof cell === 'number' || isDate(cell))) {
          if (op === '=' && typeof cell === 'string') return cell.trim() !== '' && Number(cell) === asNumber;
          return op === '<>';
        }
        order = compare(cell, asNumber);
      } else {
        if (op !== '=' && op !== '<>') return false;
        order = blank(cell) ? (wanted === '' ? 0 : 1) : typeof cell === 'string' ? compare(cell, wanted) : 1;
      }
      return OPS[op](order, 0);
    };
  };
  /** The cells of the first range whose rows meet every (range, criterion) pair. */
  const chosen = (target, pairs) => {
    const cells = flat(target);
    const tests = [];
    for (let k = 0; k < pairs.length; k += 2) {
      const cellsK = flat(pairs[k]);
      if (cellsK.length !== cells.length) throw new SheetError('#VALUE!', 'criteria ranges of different sizes');
      tests.push([cellsK, matcher(pairs[k + 1])]);
    }
    // One criterion at a time over the rows still in: the SKU first leaves a few hundred.
    let rows = cells.map((_, i) => i);
    for (const [cellsK, test] of tests) rows = rows.filter((i) => test(cellsK[i]));
    return rows.map((i) => cells[i]);
  };
  const BUILTINS = {
    ARRAYFORMULA: (ctx, [value]) => value,
    IF: (ctx, [condition, yes, no]) =>
      elementwise(ctx, (c, y, n) => (c instanceof SheetError ? c : number(c) !== 0 ? y : n === undefined ? false : n), [
        condition,
        yes,
        no === undefined ? false : no,
      ]),
    ISNUMBER: (ctx, [value]) => elementwise(ctx, (v) => typeof v === 'number' || isDate(v), [value]),
    OR: (ctx, args) => args.flatMap(flat).some((v) => number(v) !== 0),
    MIN: (ctx, args) => Math.min(...args.flatMap(flat).filter((v) => !blank(v)).map(number)),
    TODAY: () => dateOf(serial(new Date(vm.runInContext('Date.now()', loaded.gas)))), // the scripts' clock
    SUMIFS: (ctx, [target, ...pairs]) => chosen(target, pairs).reduce((sum, v) => sum + (typeof v === 'number' ? v : 0), 0),
    COUNTIFS: (ctx, pairs) => chosen(pairs[0], [pairs[0], pairs[1], ...pairs.slice(2)]).length,
    MINIFS: (ctx, [target, ...pairs]) => {
      const values = chosen(target, pairs).filter((v) => typeof v === 'number' || isDate(v)).map(number);
      return values.length ? Math.min(...values) : 0;
    },
  };

  const evaluate = (node, sheet, ctx) => {
    if ('lit' in node) return node.lit;
    if (node.omit) return undefined;
    if ('ref' in node) {
      const at = locate(sheet, node.ref);
      if (volatile.size && isVolatile(at)) ctx.seen.volatile = true;
      return read(at);
    }
    if (node.op) {
      const args = node.args.map((a) => evaluate(a, sheet, ctx));
      return elementwise(ctx, OPS[node.op], args);
    }
    if (node.fn === 'ARRAYFORMULA') ctx = {array: true, seen: ctx.seen};
    if (node.fn === 'TODAY') ctx.seen.volatile = true;
    const custom = loaded.gas[node.fn];
    // A custom function's arguments must not change by themselves: Sheets refuses one that
    // reads a volatile function (NOW, RAND, ... and, to be safe, TODAY) or a cell holding one.
    const inner = BUILTINS[node.fn] ? ctx : {array: ctx.array, seen: {volatile: false}};
    const args = node.args.map((a) => evaluate(a, sheet, inner));
    if (BUILTINS[node.fn]) return BUILTINS[node.fn](ctx, args);
    if (typeof custom !== 'function' || node.fn.endsWith('_')) throw new SheetError('#NAME?', node.fn);
    if (inner.seen.volatile) {
      throw new SheetError('#ERROR!', 'This function is not allowed to reference a cell with NOW(), RAND(), or RANDBETWEEN()');
    }
    // Sheets hands a custom function plain values: a cell as itself, a range as rows; an
    // error in an argument is the formula's error.
    for (const cell of args.flatMap(flat)) if (cell instanceof SheetError) return cell;
    return custom(...args.map((a) => (isRange(a) ? a.map((row) => row.slice()) : a)));
  };

  const anchorsOf = new Map(); // sheet -> column -> the rows of its formulas, in order
  const settled = new Set(); // "sheet|column" whose formulas are all computed
  const settleColumn = (sheet, column) => {
    const done = sheet.getName() + '|' + column;
    if (settled.has(done)) return;
    if (!anchorsOf.has(sheet)) {
      const columns = new Map();
      for (const key of Object.keys(sheet.formulas)) {
        const [row, col] = key.split(',').map(Number);
        if (!columns.has(col)) columns.set(col, []);
        columns.get(col).push(row);
      }
      for (const rows of columns.values()) rows.sort((x, y) => x - y);
      anchorsOf.set(sheet, columns);
    }
    for (const row of anchorsOf.get(sheet).get(column) || []) settle(sheet, row, column);
    settled.add(done);
  };
  const settle = (sheet, row, col) => {
    const key = sheet.getName() + '|' + row + ',' + col;
    if (state.get(key) === 'done') return;
    if (state.get(key) === 'running') throw new Error('circular reference at ' + key);
    state.set(key, 'running');
    const formula = sheet.formulas[`${row},${col}`];
    let value;
    const seen = {volatile: false};
    try {
      value = evaluate(parse(formula.slice(1)), sheet, {array: false, seen});
    } catch (err) {
      if (!(err instanceof SheetError)) throw new Error(`${sheet.getName()}!R${row}C${col} ${formula}: ${err.message}`);
      value = err;
    }
    const rows = isRange(value) ? value : [[value]];
    rows.forEach((cells, i) =>
      cells.forEach((v, j) => {
        const format = sheet.formats[`${row + i},${col + j}`] || '';
        const shown = typeof v === 'number' && /y/.test(format) ? dateOf(v) : v === undefined ? '' : v;
        while (sheet.values.length < row + i) sheet.values.push([]);
        const line = sheet.values[row + i - 1];
        while (line.length < col + j) line.push('');
        line[col + j - 1] = shown;
        if (seen.volatile) volatile.add(`${sheet.getName()}|${row + i},${col + j}`);
      }),
    );
    state.set(key, 'done');
  };

  for (const sheet of spreadsheet.getSheets()) {
    const columns = new Set(Object.keys(sheet.formulas).map((key) => Number(key.split(',')[1])));
    for (const column of columns) settleColumn(sheet, column);
  }
}

module.exports = {recalculate, parse, SheetError};
