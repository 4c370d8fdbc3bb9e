'use strict';
// Reads cases from the JSON file given and prints what Reading.gs makes of each:
// {numbers: [{mark: value}], dates: [{"true"|"false": iso}], nearest: [name|null]}.
const fs = require('node:fs');
const {loadGas} = require('./gas_context');

const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const {gas} = loadGas();
const asObject = (map) => Object.fromEntries(Array.from(map.entries()).map(([k, v]) => [String(k), v]));
process.stdout.write(
  JSON.stringify({
    numbers: cases.texts.map((t) => asObject(gas.Reading.number_readings(t))),
    dates: cases.texts.map((t) => asObject(gas.Reading.date_readings(t))),
    nearest: cases.names.map(([name, known]) => gas.Reading.nearest(name, known)),
  }),
);
