// Builds random accounts of any Anchor 0.30+ IDL, encodes them with @coral-xyz/anchor's coder and prints one JSON
// line per vector:  {"name":"...","data_base64":"...","expected":{...}}
// where "expected" is anchor's own decode of the bytes in the C# decoder's conventions (see idl-values.mjs).
//
// usage: node anchor-vectors.mjs <idl.json> <seed> <count> <AccountName>
// The same seed always gives the same vectors.

import fs from 'node:fs';

import { BorshCoder, encodeAccount, expectedAccount, parseArguments, seededRandom, randomValue } from './idl-values.mjs';

const USAGE = 'usage: node anchor-vectors.mjs <idl.json> <seed> <count> <AccountName>';
const [idlPath, ...rest] = process.argv.slice(2);
const { seed, count, name, fail } = parseArguments(USAGE, rest);

let idl;
try {
    idl = JSON.parse(fs.readFileSync(idlPath, 'utf8'));
} catch (error) {
    fail(`cannot read the IDL '${idlPath}': ${error.message}`);
}
if (!idl.accounts?.some((a) => a.name === name)) {
    fail(`account '${name}' is not one of ${(idl.accounts ?? []).map((a) => a.name).join(', ')}`);
}

const coder = new BorshCoder(idl);
const rng = seededRandom(seed);
for (let i = 0; i < count; i++) {
    const value = randomValue({ defined: { name } }, idl.types, rng);
    const data = await encodeAccount(coder, idl, name, value);
    const line = { name, data_base64: data.toString('base64'), expected: expectedAccount(coder, idl, name, data) };
    process.stdout.write(`${JSON.stringify(line)}\n`);
}
