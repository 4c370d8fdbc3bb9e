'use strict';
// Every shared vector of tests/vectors against the Apps Script port (Formulas.gs): the numbers a
// Google Sheets user sees must equal the ones addin/formulas.py gives Excel and the refresh.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {loadGas, plain} = require('./gas_context');

const REPO = path.resolve(__dirname, '../../..');
const VECTORS = path.join(REPO, 'tests/vectors');
const {gas} = loadGas();
const Formulas = gas.Formulas;
/** Vector functions live in Formulas (the cells' math), Decisions (plan_sku) or Reading (how
 * typed text and names are read). */
const lookup = (name) => Formulas[name] || gas.Decisions[name] || gas.Reading[name];

/** Python parameter names per function, read from the `def`s, to place a case's kwargs. */
function pythonParameters() {
  const sources = ['addin/formulas.py', 'addin/reading.py', 'addin/names.py', 'tests/addin/test_formulas.py'].map((file) =>
    fs.readFileSync(path.join(REPO, file), 'utf8'),
  );
  const params = {};
  for (const match of sources.join('\n').matchAll(/^def (\w+)\(([^]*?)\)\s*(?:->[^:]*)?:/gm)) {
    params[match[1]] = splitTopLevel(match[2])
      .map((part) => part.trim().split(/[:=\s]/)[0])
      .filter((name) => name && name !== '*' && name !== '/');
  }
  return params;
}

function splitTopLevel(text) {
  const parts = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if ('([{'.includes(ch)) depth += 1;
    if (')]}'.includes(ch)) depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  return current.trim() ? parts.concat(current) : parts;
}

function argumentsOf(name, kase, params) {
  const args = kase.args.slice();
  for (const [key, value] of Object.entries(kase.kwargs || {})) {
    const index = (params[name] || []).indexOf(key);
    assert.ok(index >= 0, `${name} has no parameter ${key}`);
    while (args.length < index) args.push(undefined);
    args[index] = value;
  }
  return args;
}

function run(name, args) {
  try {
    return plain(lookup(name)(...args));
  } catch (err) {
    if (err instanceof Formulas.InputError) return {error: err.message};
    throw err;
  }
}

const files = fs
  .readdirSync(VECTORS)
  .filter((f) => f.endsWith('.json'))
  .sort();
const params = pythonParameters();

test('there are vectors to run', () => {
  assert.ok(files.length >= 8, `only ${files.length} vector files in ${VECTORS}`);
});

for (const file of files) {
  const spec = JSON.parse(fs.readFileSync(path.join(VECTORS, file), 'utf8'));
  test(`${file}: the port has ${spec.function}`, () => {
    assert.equal(typeof lookup(spec.function), 'function', `the port lacks ${spec.function}`);
  });
  for (const kase of spec.cases) {
    test(`${file}: ${kase.name}`, () => {
      assert.equal(typeof lookup(spec.function), 'function', `the port lacks ${spec.function}`);
      const got = run(spec.function, argumentsOf(spec.function, kase, params));
      assert.deepStrictEqual(got, kase.expected);
    });
  }
}

test('kwargs are placed by the Python parameter names', () => {
  assert.deepEqual(params.stockout_date, [
    'available',
    'daily_sales',
    'as_of',
    'inbound_qty',
    'inbound_eta',
    'history',
  ]);
  const args = argumentsOf(
    'stockout_date',
    {args: [10, 2, '2026-11-25'], kwargs: {inbound_eta: 'x'}},
    params,
  );
  assert.deepEqual(args, [10, 2, '2026-11-25', undefined, 'x']);
});
