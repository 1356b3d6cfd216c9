// Independent checker for ../replay/sample.jsonl and ../replay/sample.expected.json.
// It reads only the files (nothing from generate.mjs) and exits non-zero on the first problem.
//
//   node verify.mjs [path/to/replay.jsonl]
//
// Checks: every line parses and has the documented fields and types; pubkeys, owners and
// signatures are valid base58 of the right length; data decodes with spl-token
// (unpackAccount / MintLayout) for Tokenkeg-owned accounts and is empty for system accounts;
// "fresh" lines (write_version above every earlier line) have strictly increasing write_version and
// non-decreasing slot; every other line is a byte-identical copy of an earlier line (a duplicate of
// the account's newest line, or a stale re-send of an older one); within a transaction all updates
// share the slot, lamports sum to -5000 (one fee) and, per mint, token deltas equal the supply delta;
// wSOL accounts have lamports = rent reserve + amount; token amounts and delegated amounts are never
// negative (u64); the expected file is the newest line per pubkey by (slot, write_version).

import { PublicKey } from '@solana/web3.js';
import { MintLayout, MINT_SIZE, ACCOUNT_SIZE, NATIVE_MINT, TOKEN_PROGRAM_ID, unpackAccount } from '@solana/spl-token';
import bs58 from 'bs58';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = process.argv[2] ?? path.resolve(here, '..', 'replay', 'sample.jsonl');
const expectedFile = file.replace(/\.jsonl$/, '.expected.json');
const SYSTEM = '11111111111111111111111111111111';
const TOKEN = TOKEN_PROGRAM_ID.toBase58();
const FEE = -5000n;
const U64_MAX = 18446744073709551615n;

let failures = 0;
function check(cond, msg) {
  if (!cond) {
    failures++;
    console.error(`FAIL: ${msg}`);
  }
}

const raw = readFileSync(file, 'utf8');
const texts = raw.split('\n').filter((l) => l.trim() !== '');
check(raw.endsWith('\n'), 'file ends with a newline');

const seenTexts = new Set();
const newestWv = new Map(); // pubkey -> write_version of its newest fresh line
const state = new Map(); // pubkey -> decoded newest state { lamports, mint, amount, supply, ... }
const txs = new Map(); // signature -> [{ pubkey, slot, before, after }]
let maxWv = -1n;
let lastSlot = -1n;
let fresh = 0, duplicates = 0, stale = 0, unsigned = 0, closed = 0;
const slots = new Set();

// Numbers are parsed from the text as BigInt, so u64 values are exact.
const intField = (text, name) => {
  const m = text.match(new RegExp(`"${name}":(\\d+)[,}]`));
  return m ? BigInt(m[1]) : null;
};

function decode(o) {
  const data = Buffer.from(o.data, 'base64');
  check(data.toString('base64') === o.data, `${o.pubkey}: data is canonical base64`);
  if (o.owner === SYSTEM) {
    check(data.length === 0, `${o.pubkey}: system account has data`);
    return { kind: o.lamports === 0 ? 'closed' : 'system' };
  }
  check(o.owner === TOKEN, `${o.pubkey}: unexpected owner ${o.owner}`);
  if (data.length === MINT_SIZE) {
    const m = MintLayout.decode(data);
    check(m.isInitialized, `${o.pubkey}: mint not initialized`);
    return { kind: 'mint', supply: m.supply, decimals: m.decimals };
  }
  check(data.length === ACCOUNT_SIZE, `${o.pubkey}: token data length ${data.length}`);
  const info = { data, owner: TOKEN_PROGRAM_ID, lamports: o.lamports, executable: false };
  const a = unpackAccount(new PublicKey(o.pubkey), info);
  check(a.delegatedAmount <= U64_MAX && a.amount <= U64_MAX, `${o.pubkey}: u64 overflow`);
  if (a.isNative) {
    check(a.mint.equals(NATIVE_MINT), `${o.pubkey}: is_native on a non-native mint`);
    check(BigInt(o.lamports) === a.rentExemptReserve + a.amount, `${o.pubkey}: wSOL lamports != reserve + amount`);
  }
  return { kind: 'token', mint: a.mint.toBase58(), amount: a.amount, frozen: a.isFrozen, delegate: a.delegate, native: a.isNative };
}

texts.forEach((text, i) => {
  const where = `line ${i + 1}`;
  let o;
  try {
    o = JSON.parse(text);
  } catch (e) {
    check(false, `${where}: not JSON (${e.message})`);
    return;
  }
  const keys = Object.keys(o);
  const allowed = ['pubkey', 'owner', 'lamports', 'data', 'executable', 'rent_epoch', 'slot', 'write_version', 'txn_signature'];
  check(keys.every((k) => allowed.includes(k)), `${where}: unknown field`);
  for (const k of allowed.slice(0, 8)) check(k in o, `${where}: missing ${k}`);
  for (const k of ['pubkey', 'owner']) check(bs58.decode(o[k]).length === 32, `${where}: ${k} is not 32 bytes`);
  check(typeof o.executable === 'boolean', `${where}: executable`);
  check(intField(text, 'rent_epoch') === U64_MAX, `${where}: rent_epoch`);
  const slot = intField(text, 'slot');
  const wv = intField(text, 'write_version');
  const lamports = intField(text, 'lamports');
  check(slot !== null && wv !== null && lamports !== null, `${where}: integer fields`);
  if ('txn_signature' in o) check(bs58.decode(o.txn_signature).length === 64, `${where}: signature is not 64 bytes`);
  else unsigned++;
  slots.add(slot);

  if (wv <= maxWv) {
    // Not fresh: must be a byte-identical re-send of an earlier line.
    check(seenTexts.has(text), `${where}: write_version ${wv} not increasing and not a re-send`);
    if (newestWv.get(o.pubkey) === wv) duplicates++;
    else {
      check(wv < newestWv.get(o.pubkey), `${where}: re-send newer than newest`);
      stale++;
    }
    return;
  }
  fresh++;
  check(slot >= lastSlot, `${where}: slot ${slot} < ${lastSlot}`);
  maxWv = wv;
  lastSlot = slot;
  seenTexts.add(text);
  newestWv.set(o.pubkey, wv);

  const after = { lamports, ...decode(o) };
  if (after.kind === 'closed') closed++;
  const before = state.get(o.pubkey) ?? { lamports: 0n, kind: 'none' };
  state.set(o.pubkey, after);
  if (o.txn_signature) {
    if (!txs.has(o.txn_signature)) txs.set(o.txn_signature, []);
    txs.get(o.txn_signature).push({ pubkey: o.pubkey, slot, before, after });
  } else {
    check(before.kind === 'none', `${where}: unsigned (snapshot) update of an already-seen account`);
  }
});

// Transactions: same slot, one fee, token deltas match supply deltas per mint.
for (const [sig, ups] of txs) {
  check(new Set(ups.map((u) => u.slot)).size === 1, `tx ${sig}: spans slots`);
  const dl = ups.reduce((s, u) => s + u.after.lamports - u.before.lamports, 0n);
  check(dl === FEE, `tx ${sig}: lamports delta ${dl}, expected ${FEE}`);
  const tokenDelta = new Map();
  const supplyDelta = new Map();
  for (const u of ups) {
    if (u.after.kind === 'token' || u.before.kind === 'token') {
      const mint = u.after.mint ?? u.before.mint;
      tokenDelta.set(mint, (tokenDelta.get(mint) ?? 0n) + (u.after.amount ?? 0n) - (u.before.amount ?? 0n));
      check(!(u.before.frozen && u.after.amount !== u.before.amount), `tx ${sig}: frozen account moved`);
    }
    if (u.after.kind === 'mint') supplyDelta.set(u.pubkey, u.after.supply - (u.before.supply ?? 0n));
  }
  for (const [mint, d] of tokenDelta) {
    if (mint === NATIVE_MINT.toBase58()) continue; // wrapping SOL creates wSOL without a supply change
    check(d === (supplyDelta.get(mint) ?? 0n), `tx ${sig}: ${mint} token delta ${d} != supply delta`);
  }
}

// Expected state: the newest line per pubkey by (slot, write_version).
const newest = new Map();
for (const text of texts) {
  const o = JSON.parse(text);
  const slot = intField(text, 'slot');
  const wv = intField(text, 'write_version');
  const cur = newest.get(o.pubkey);
  if (!cur || slot > cur.slot || (slot === cur.slot && wv > cur.wv)) newest.set(o.pubkey, { slot, wv, o, text });
}
const expected = JSON.parse(readFileSync(expectedFile, 'utf8'));
check(Object.keys(expected).length === newest.size, 'expected file has one entry per pubkey');
for (const [pk, n] of newest) {
  const e = expected[pk];
  check(e && BigInt(e.slot) === n.slot && BigInt(e.write_version) === n.wv && e.lamports === n.o.lamports &&
    e.owner === n.o.owner && e.data === n.o.data, `expected state of ${pk} differs from the newest line`);
  check(newestWv.get(pk) === n.wv, `${pk}: newest by (slot, write_version) is not the newest fresh line`);
}

const tokenCount = [...state.values()].filter((s) => s.kind === 'token').length;
console.log(`${texts.length} lines: ${fresh} fresh (${unsigned} without txn_signature), ` +
  `${duplicates} duplicates, ${stale} stale re-sends; ${slots.size} distinct slots ${[...slots].reduce((a, b) => (a < b ? a : b))}..${lastSlot}; ` +
  `${newest.size} pubkeys (${tokenCount} live token accounts, ${closed} closed); ${txs.size} transactions`);
check(texts.length >= 300 && texts.length <= 600, 'line count 300..600');
check(duplicates >= 3 && stale >= 2 && closed >= 1, 'has duplicates, stale re-sends and a closed account');
if (failures) {
  console.error(`${failures} check(s) failed`);
  process.exit(1);
}
console.log('verify: all checks passed');
