// Deterministic generator for the embedded demo's replay file.
//
//   cd samples/generator && npm ci && node generate.mjs   (add --table to print the README's account table)
//
// Writes ../replay/sample.jsonl (one account update per line) and
// ../replay/sample.expected.json (newest state per pubkey). The output depends only on SEED:
// all randomness comes from the mulberry32 PRNG below (never Math.random), keypairs come from
// Keypair.fromSeed, token accounts live at their associated token addresses, and account data is
// encoded with spl-token's MintLayout / AccountLayout. Running it twice gives byte-identical files.
//
// The story (see ../README.md): a snapshot of every account is streamed first (no txn_signature),
// then ~135 slots of transactions: token transfers, mints, burns, an approve + delegated transfer,
// a freeze, a SOL wrap, an ATA creation, an account closure and plain SOL transfers. A handful of
// exact duplicate lines and a few stale (older write_version) re-sends are mixed in.

import { Keypair, PublicKey } from '@solana/web3.js';
import {
  AccountLayout,
  AccountState,
  ACCOUNT_SIZE,
  MintLayout,
  MINT_SIZE,
  NATIVE_MINT,
  TOKEN_PROGRAM_ID,
  getAssociatedTokenAddressSync,
} from '@solana/spl-token';
import bs58 from 'bs58';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

const SEED = 0x0a6c6a17;
const START_SLOT = 312_000_000;
const START_WRITE_VERSION = 1_207_934_110_213;
const EVENT_SLOTS = 135; // slots of transactions after the snapshot
const U64_MAX = '18446744073709551615'; // rent_epoch of rent-exempt accounts, written literally
const SYSTEM_PROGRAM = '11111111111111111111111111111111';
const TOKEN_PROGRAM = TOKEN_PROGRAM_ID.toBase58(); // TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA
const FEE = 5000n; // one signature
const TOKEN_ACCOUNT_RENT = 2_039_280n; // (128 + 165) * 3480 * 2
const MINT_RENT = 1_461_600n; // (128 + 82) * 3480 * 2
const LAMPORTS_PER_SOL = 1_000_000_000n;

const here = path.dirname(fileURLToPath(import.meta.url));
const OUT_DIR = path.resolve(here, '..', 'replay');

// ---------------------------------------------------------------------------------------------
// PRNG (mulberry32) and helpers
// ---------------------------------------------------------------------------------------------

function mulberry32(a) {
  return function next() {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(SEED);
const randInt = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1)); // inclusive
const pick = (arr) => arr[Math.floor(rand() * arr.length)];
function randBytes(n) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}
const newSignature = () => bs58.encode(randBytes(64));
const newKeypair = () => Keypair.fromSeed(randBytes(32));
// Skewed towards the low end (many small holders, a few large); only + and * so it is exact.
const skewed = (lo, hi) => {
  const r = rand();
  return lo + r * r * r * (hi - lo);
};
function assert(cond, msg) {
  if (!cond) throw new Error(`invariant violated: ${msg}`);
}

// ---------------------------------------------------------------------------------------------
// Accounts model
// ---------------------------------------------------------------------------------------------

/** pubkey (base58) -> account */
const accounts = new Map();

function addAccount(acct) {
  assert(!accounts.has(acct.pubkey), `duplicate pubkey ${acct.pubkey}`);
  acct.versions = []; // emitted lines of this account, in order: { slot, writeVersion, text }
  accounts.set(acct.pubkey, acct);
  return acct;
}

// --- mints (real mainnet addresses and decimals; supplies and authorities are synthetic) -------
const authorities = {
  usdcMint: newKeypair().publicKey,
  usdcFreeze: newKeypair().publicKey,
  usdt: newKeypair().publicKey, // USDT: mint and freeze authority are the same key
  jupMint: newKeypair().publicKey,
};

const MINT_DEFS = [
  { symbol: 'USDC', address: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', decimals: 6,
    supply: 10_482_315_774_125_330n, mintAuthority: authorities.usdcMint, freezeAuthority: authorities.usdcFreeze,
    gran: 10_000n /* 0.01 */, range: [25, 250_000] },
  { symbol: 'USDT', address: 'Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB', decimals: 6,
    supply: 2_389_407_512_338_120n, mintAuthority: authorities.usdt, freezeAuthority: authorities.usdt,
    gran: 10_000n, range: [20, 80_000] },
  { symbol: 'BONK', address: 'DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263', decimals: 5,
    supply: 8_886_634_412_345_678_901n, mintAuthority: null, freezeAuthority: null,
    gran: 100_000_000n /* 1000 BONK */, range: [1_000_000, 2_000_000_000] },
  { symbol: 'JUP', address: 'JUPyiwrYJFskUPiHa7hkeR8VUtAeFoSYbKedZNsDvCN', decimals: 6,
    supply: 6_999_216_232_548_710n, mintAuthority: authorities.jupMint, freezeAuthority: null,
    gran: 100_000n /* 0.1 */, range: [50, 40_000] },
  { symbol: 'wSOL', address: NATIVE_MINT.toBase58(), decimals: 9,
    supply: 0n, mintAuthority: null, freezeAuthority: null, // the native mint tracks no supply
    gran: 1_000_000n /* 0.001 SOL */, range: [0.5, 40] },
];
assert(MINT_DEFS[4].address === 'So11111111111111111111111111111111111111112', 'native mint');

const mints = {};
for (const d of MINT_DEFS) {
  mints[d.symbol] = addAccount({
    kind: 'mint', label: `${d.symbol} mint`, pubkey: d.address, owner: TOKEN_PROGRAM, lamports: MINT_RENT,
    symbol: d.symbol, decimals: d.decimals, supply: d.supply, gran: d.gran, range: d.range,
    mintAuthority: d.mintAuthority, freezeAuthority: d.freezeAuthority, exists: true,
  });
}

// --- wallets (system accounts) ------------------------------------------------------------------
const WALLET_ROLES = [
  'approves w4 as delegate on its USDC; sends SOL to w3',
  'market maker; receives a USDC mint-to, later burns USDC',
  'holds wSOL; burns BONK; sends wSOL to w5',
  'receives SOL from w0; empties and closes its JUP account',
  'delegate of w0 USDC; spends part of the allowance',
  'wraps SOL into its wSOL account',
  'its USDT account is frozen by the USDT freeze authority',
  'creates a BONK associated token account mid-way',
  'receives a JUP mint-to; burns BONK',
  'receives a USDT mint-to; sends SOL to w6',
];
const HOLDINGS = [
  ['USDC', 'USDT', 'JUP'],
  ['USDC', 'BONK', 'JUP'],
  ['USDC', 'wSOL', 'BONK'],
  ['USDT', 'JUP'],
  ['USDC', 'BONK'],
  ['USDC', 'wSOL', 'JUP'],
  ['USDT', 'BONK'],
  ['USDC', 'USDT'],
  ['USDC', 'BONK', 'JUP'],
  ['USDT', 'USDC', 'BONK'],
];

const wallets = [];
for (let i = 0; i < 10; i++) {
  const kp = newKeypair();
  const sol = skewed(0.5, 5000);
  wallets.push(addAccount({
    kind: 'wallet', label: `w${i}`, role: WALLET_ROLES[i], pubkey: kp.publicKey.toBase58(), key: kp.publicKey,
    owner: SYSTEM_PROGRAM, lamports: BigInt(Math.floor(sol * 1e9)), exists: true,
  }));
}
const authorityWallets = {}; // label -> account
for (const [name, key, role] of [
  ['USDC mint authority', authorities.usdcMint, 'signs the USDC mint-to'],
  ['USDT mint+freeze authority', authorities.usdt, 'signs the USDT mint-to and the freeze'],
  ['JUP mint authority', authorities.jupMint, 'signs the JUP mint-to'],
]) {
  authorityWallets[name] = addAccount({
    kind: 'wallet', label: name, role, pubkey: key.toBase58(), key,
    owner: SYSTEM_PROGRAM, lamports: BigInt(Math.floor(skewed(1, 20) * 1e9)), exists: true,
  });
}

// --- token accounts at associated token addresses ------------------------------------------------
function tokenAccountFor(wallet, symbol, { exists = true, amount = null } = {}) {
  const mint = mints[symbol];
  const ata = getAssociatedTokenAddressSync(new PublicKey(mint.pubkey), wallet.key, false);
  const [lo, hi] = mint.range;
  let amt = amount;
  if (amt === null) {
    const units = skewed(lo, hi) * 10 ** mint.decimals; // < 2^53 for every range above
    amt = (BigInt(Math.floor(units)) / mint.gran) * mint.gran;
  }
  const isNative = mint.pubkey === NATIVE_MINT.toBase58();
  return addAccount({
    kind: 'token', label: `${wallet.label} ${symbol}`, pubkey: ata.toBase58(), owner: TOKEN_PROGRAM,
    lamports: TOKEN_ACCOUNT_RENT + (isNative ? amt : 0n), exists,
    mint, wallet, amount: amt, delegate: null, delegatedAmount: 0n, state: AccountState.Initialized,
    isNative: isNative ? TOKEN_ACCOUNT_RENT : null, closing: false,
  });
}
const tokens = {}; // `w3 JUP` -> account
wallets.forEach((w, i) => {
  for (const sym of HOLDINGS[i]) tokens[`w${i} ${sym}`] = tokenAccountFor(w, sym);
});
// created mid-way (not in the snapshot)
tokens['w7 BONK'] = tokenAccountFor(wallets[7], 'BONK', { exists: false, amount: 0n });
tokens['w0 USDC'].role = 'delegate set (w4), allowance partly spent';
tokens['w6 USDT'].role = 'frozen mid-way (state Frozen)';
tokens['w3 JUP'].role = 'emptied, then closed mid-way';
tokens['w7 BONK'].role = 'created mid-way (absent from the snapshot)';
tokens['w2 wSOL'].role = tokens['w5 wSOL'].role = 'wSOL, is_native set (rent reserve 2,039,280)';

// --- encoding --------------------------------------------------------------------------------
function encodeData(a) {
  if (a.kind === 'mint') {
    const buf = Buffer.alloc(MINT_SIZE);
    MintLayout.encode({
      mintAuthorityOption: a.mintAuthority ? 1 : 0, mintAuthority: a.mintAuthority ?? PublicKey.default,
      supply: a.supply, decimals: a.decimals, isInitialized: true,
      freezeAuthorityOption: a.freezeAuthority ? 1 : 0, freezeAuthority: a.freezeAuthority ?? PublicKey.default,
    }, buf);
    return buf;
  }
  if (a.kind === 'token') {
    assert(a.amount >= 0n && a.delegatedAmount >= 0n, `${a.label} negative amount`);
    if (a.isNative !== null) assert(a.lamports === a.isNative + a.amount, `${a.label} wSOL lamports != rent + amount`);
    else assert(a.lamports === TOKEN_ACCOUNT_RENT, `${a.label} lamports`);
    const buf = Buffer.alloc(ACCOUNT_SIZE);
    AccountLayout.encode({
      mint: new PublicKey(a.mint.pubkey), owner: a.wallet.key, amount: a.amount,
      delegateOption: a.delegate ? 1 : 0, delegate: a.delegate ?? PublicKey.default,
      state: a.state, isNativeOption: a.isNative !== null ? 1 : 0, isNative: a.isNative ?? 0n,
      delegatedAmount: a.delegatedAmount, closeAuthorityOption: 0, closeAuthority: PublicKey.default,
    }, buf);
    return buf;
  }
  return Buffer.alloc(0); // system account, or a closed account
}

// ---------------------------------------------------------------------------------------------
// Stream
// ---------------------------------------------------------------------------------------------

const out = []; // { text, pubkey, slot, writeVersion, kind: 'update' | 'duplicate' | 'stale' }
let slot = START_SLOT;
let writeVersion = START_WRITE_VERSION;
let slotStart = 0; // index in `out` of the first line of the current slot

function emit(a, sig) {
  assert(a.exists, `${a.label} emitted while not existing`);
  assert(a.lamports >= 0n, `${a.label} negative lamports`);
  writeVersion += 1;
  const data = encodeData(a).toString('base64');
  const text = `{"pubkey":"${a.pubkey}","owner":"${a.owner}","lamports":${a.lamports},"data":"${data}",` +
    `"executable":false,"rent_epoch":${U64_MAX},"slot":${slot},"write_version":${writeVersion}` +
    (sig ? `,"txn_signature":"${sig}"` : '') + '}';
  const line = { text, pubkey: a.pubkey, slot, writeVersion, kind: 'update', lamports: a.lamports, owner: a.owner, data };
  out.push(line);
  a.versions.push(line);
}

/** One transaction: the fee payer pays FEE; all its account updates share slot and signature. */
function transaction(payer, touched) {
  writeVersion += randInt(40, 2500); // other accounts the validator wrote in between
  payer.lamports -= FEE;
  const sig = newSignature();
  const seen = new Set();
  for (const a of [payer, ...touched]) {
    if (seen.has(a.pubkey)) continue;
    seen.add(a.pubkey);
    emit(a, sig);
  }
}

function nextSlot() {
  slot += rand() < 0.08 ? 2 : 1; // an occasional skipped leader slot
  slotStart = out.length;
}

const usable = (t) => t.kind === 'token' && t.exists && !t.closing && t.state === AccountState.Initialized;
const spendable = (t) => t.amount - (t.delegate ? t.delegatedAmount : 0n); // owner keeps the allowance covered
const niceAmount = (max, gran, loPpm = 20_000, hiPpm = 450_000) => {
  const ppm = BigInt(randInt(loPpm, hiPpm));
  return ((max * ppm) / 1_000_000n / gran) * gran;
};
const SOL_GRAN = LAMPORTS_PER_SOL / 1000n; // SOL amounts in the script are whole milli-SOL

function moveTokens(src, dst, amount) {
  assert(src.mint === dst.mint, 'transfer across mints');
  assert(amount > 0n && amount <= src.amount, `${src.label} overdrawn`);
  src.amount -= amount;
  dst.amount += amount;
  if (src.isNative !== null) { // native (wSOL) transfers move the lamports too
    assert(dst.isNative !== null, 'wSOL to non-native account');
    src.lamports -= amount;
    dst.lamports += amount;
  }
}

// --- events ---------------------------------------------------------------------------------------
function transfer(src, dst, amount, signer = src.wallet) {
  moveTokens(src, dst, amount);
  transaction(signer, [src, dst]);
}

const MINT_WEIGHTS = ['USDC', 'USDC', 'USDC', 'USDT', 'USDT', 'BONK', 'BONK', 'JUP', 'JUP', 'wSOL'];
function randomTransfer() {
  for (let attempt = 0; attempt < 30; attempt++) {
    const sym = pick(MINT_WEIGHTS);
    const pool = Object.values(tokens).filter((t) => t.mint.symbol === sym && usable(t));
    const sources = pool.filter((t) => spendable(t) > 0n);
    if (sources.length === 0) continue;
    const src = pick(sources);
    const dsts = pool.filter((t) => t.wallet !== src.wallet);
    if (dsts.length === 0) continue;
    const dst = pick(dsts);
    const amount = niceAmount(spendable(src), src.mint.gran);
    if (amount === 0n) continue;
    transfer(src, dst, amount);
    return;
  }
}

function solTransfer(from, to, lamports) {
  assert(from.lamports >= lamports + FEE, `${from.label} cannot afford SOL transfer`);
  from.lamports -= lamports;
  to.lamports += lamports;
  transaction(from, [to]);
}

function mintTo(authority, mint, dst, amount) {
  mint.supply += amount;
  dst.amount += amount;
  transaction(authority, [mint, dst]);
}

function burn(src, amount) {
  assert(amount > 0n && amount <= spendable(src), `${src.label} burn too large`);
  src.amount -= amount;
  src.mint.supply -= amount;
  transaction(src.wallet, [src, src.mint]);
}

const u = (symbol, tokensStr) => BigInt(tokensStr) * 10n ** BigInt(mints[symbol].decimals);

const story = [];
const SCRIPT = {
  6: () => {
    const amount = niceAmount(wallets[0].lamports, SOL_GRAN, 100_000, 300_000);
    solTransfer(wallets[0], wallets[3], amount);
    story.push(`w0 sends ${fmt(amount, 9)} SOL to w3 (system transfer)`);
  },
  14: () => { mintTo(authorityWallets['USDC mint authority'], mints.USDC, tokens['w1 USDC'], u('USDC', 2_500_000)); story.push('USDC mint authority mints 2,500,000 USDC to w1'); },
  21: () => {
    const t = tokens['w0 USDC'];
    const allowance = niceAmount(t.amount, u('USDC', 1), 300_000, 500_000) || u('USDC', 1);
    t.delegate = wallets[4].key;
    t.delegatedAmount = allowance;
    transaction(wallets[0], [t]);
    story.push(`w0 approves w4 as delegate of its USDC account for ${fmt(allowance, 6)} USDC`);
  },
  29: () => {
    const t = tokens['w5 wSOL'];
    const amount = niceAmount(wallets[5].lamports, SOL_GRAN, 200_000, 400_000);
    assert(amount > 0n && wallets[5].lamports >= amount + FEE, 'w5 cannot wrap');
    wallets[5].lamports -= amount;
    t.lamports += amount;
    t.amount += amount; // SystemProgram.transfer + SyncNative
    transaction(wallets[5], [t]);
    story.push(`w5 wraps ${fmt(amount, 9)} SOL into its wSOL account (system transfer + SyncNative)`);
  },
  36: () => {
    const t = tokens['w6 USDT'];
    t.state = AccountState.Frozen;
    transaction(authorityWallets['USDT mint+freeze authority'], [t]);
    story.push('USDT freeze authority freezes w6\'s USDT account (it never moves again)');
  },
  43: () => {
    const t = tokens['w7 BONK'];
    t.exists = true;
    wallets[7].lamports -= TOKEN_ACCOUNT_RENT;
    transaction(wallets[7], [t]);
    story.push('w7 creates its BONK associated token account (pays 0.00203928 SOL rent)');
  },
  44: () => {
    const src = tokens['w1 BONK'];
    const amount = niceAmount(spendable(src), src.mint.gran, 100_000, 300_000);
    transfer(src, tokens['w7 BONK'], amount);
    story.push(`w1 sends ${fmt(amount, 5)} BONK to w7's new account`);
  },
  50: () => {
    const src = tokens['w0 USDC'];
    const amount = (src.delegatedAmount * 2n / 5n / u('USDC', 1)) * u('USDC', 1) || src.delegatedAmount;
    assert(amount <= src.delegatedAmount && amount <= src.amount, 'delegated transfer too large');
    src.delegatedAmount -= amount;
    transfer(src, tokens['w8 USDC'], amount, wallets[4]);
    story.push(`w4, as delegate, moves ${fmt(amount, 6)} USDC from w0 to w8 (w4 pays the fee; allowance drops)`);
  },
  57: () => {
    const src = tokens['w3 JUP'];
    const amount = src.amount;
    transfer(src, tokens['w5 JUP'], amount);
    src.closing = true;
    story.push(`w3 sends its whole JUP balance (${fmt(amount, 6)} JUP) to w5`);
  },
  63: () => {
    const t = tokens['w3 JUP'];
    assert(t.amount === 0n, 'closing a non-empty account');
    wallets[3].lamports += t.lamports; // rent goes back to the owner, minus the fee charged below
    t.lamports = 0n;
    t.owner = SYSTEM_PROGRAM;
    t.kind = 'closed'; // on the wire: lamports 0, owner system program, data empty
    transaction(wallets[3], [t]);
    t.exists = false;
    story.push('w3 closes its empty JUP account; w3 gets the 2,039,280 lamports rent back (minus the 5,000 fee)');
  },
  70: () => {
    const src = tokens['w2 BONK'];
    const amount = niceAmount(spendable(src), src.mint.gran, 100_000, 250_000);
    burn(src, amount);
    story.push(`w2 burns ${fmt(amount, 5)} BONK (BONK supply drops)`);
  },
  78: () => { mintTo(authorityWallets['JUP mint authority'], mints.JUP, tokens['w8 JUP'], u('JUP', 50_000)); story.push('JUP mint authority mints 50,000 JUP to w8'); },
  86: () => {
    const amount = niceAmount(wallets[9].lamports, SOL_GRAN, 50_000, 200_000);
    solTransfer(wallets[9], wallets[6], amount);
    story.push(`w9 sends ${fmt(amount, 9)} SOL to w6 (system transfer)`);
  },
  95: () => { mintTo(authorityWallets['USDT mint+freeze authority'], mints.USDT, tokens['w9 USDT'], u('USDT', 1_000_000)); story.push('USDT mint authority mints 1,000,000 USDT to w9'); },
  104: () => {
    const src = tokens['w1 USDC'];
    let amount = u('USDC', 750_000);
    if (amount > spendable(src)) amount = niceAmount(spendable(src), src.mint.gran, 400_000, 500_000);
    burn(src, amount);
    story.push(`w1 burns ${fmt(amount, 6)} USDC (USDC supply drops)`);
  },
  112: () => {
    const src = tokens['w8 BONK'];
    const amount = niceAmount(spendable(src), src.mint.gran, 100_000, 250_000);
    burn(src, amount);
    story.push(`w8 burns ${fmt(amount, 5)} BONK (BONK supply drops)`);
  },
  120: () => {
    const src = tokens['w2 wSOL'];
    const amount = niceAmount(src.amount, src.mint.gran, 200_000, 400_000);
    transfer(src, tokens['w5 wSOL'], amount);
    story.push(`w2 sends ${fmt(amount, 9)} wSOL to w5 (native transfer: lamports move with the amount)`);
  },
};
const DUPLICATE_SLOTS = new Set([3, 27, 48, 82, 109, 125]);
const STALE_SLOTS = { 90: 'random', 115: 'w3 JUP', 131: 'random' };

function fmt(base, decimals) {
  const s = base.toString().padStart(decimals + 1, '0');
  const int = s.slice(0, s.length - decimals).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = s.slice(s.length - decimals).replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

// --- 1. snapshot: every existing account once, a few per slot, no signature --------------------
const snapshot = [...accounts.values()].filter((a) => a.exists);
for (let i = 0; i < snapshot.length;) {
  const n = randInt(3, 6);
  for (const a of snapshot.slice(i, i + n)) {
    writeVersion += randInt(1, 400);
    emit(a, null);
  }
  i += n;
  nextSlot();
}
const snapshotLines = out.length;

// --- 2. transactions ----------------------------------------------------------------------------
for (let s = 0; s < EVENT_SLOTS; s++) {
  if (SCRIPT[s]) {
    SCRIPT[s]();
    story[story.length - 1] = `slot ${slot}: ${story.at(-1)}`;
  }
  const r = rand();
  let randomCount = SCRIPT[s] ? (r < 0.5 ? 0 : 1) : r < 0.12 ? 0 : r < 0.82 ? 1 : 2;
  if (DUPLICATE_SLOTS.has(s) && !SCRIPT[s]) randomCount = Math.max(randomCount, 1); // something to duplicate
  for (let k = 0; k < randomCount; k++) randomTransfer();

  if (DUPLICATE_SLOTS.has(s)) {
    // a line that is still its account's newest, so the copy is a pure duplicate
    const inSlot = out.slice(slotStart).filter((l) => l.kind === 'update' && l === accounts.get(l.pubkey).versions.at(-1));
    assert(inSlot.length > 0, `no line to duplicate in slot ${slot}`);
    out.push({ ...pick(inSlot), kind: 'duplicate' }); // at-least-once delivery: the same line again
  }
  if (STALE_SLOTS[s]) {
    let a;
    if (STALE_SLOTS[s] === 'random') {
      const candidates = [...accounts.values()].filter((x) => x.versions.length >= 2 && x.versions.at(-2).slot < slot - 5);
      a = pick(candidates);
    } else {
      a = tokens[STALE_SLOTS[s]];
    }
    const old = a.versions.at(-2); // an older version of an account that has been updated since
    assert(old.writeVersion < a.versions.at(-1).writeVersion, 'stale re-send is not older');
    out.push({ ...old, kind: 'stale' });
  }
  nextSlot();
}

// ---------------------------------------------------------------------------------------------
// Self-checks, expected state, output
// ---------------------------------------------------------------------------------------------

let maxWv = 0;
let lastSlot = 0;
for (const l of out) {
  if (l.kind === 'update') {
    assert(l.writeVersion > maxWv, 'write_version not strictly increasing');
    assert(l.slot >= lastSlot, 'slot decreased');
    maxWv = l.writeVersion;
    lastSlot = l.slot;
  } else {
    assert(l.writeVersion <= maxWv, 're-sent line is not old');
  }
}
assert(out.length >= 300 && out.length <= 600, `line count ${out.length} outside 300..600`);

const newest = new Map();
for (const l of out) {
  const cur = newest.get(l.pubkey);
  if (!cur || l.slot > cur.slot || (l.slot === cur.slot && l.writeVersion > cur.writeVersion)) newest.set(l.pubkey, l);
}
const expected = {};
for (const pk of [...newest.keys()].sort()) {
  const l = newest.get(pk);
  const a = accounts.get(pk);
  assert(l === a.versions.at(-1), `${a.label}: newest line is not the generator's final state`);
  assert(l.lamports === a.lamports && l.owner === a.owner, `${a.label}: final state mismatch`);
  assert(Number.isSafeInteger(Number(l.lamports)), 'lamports beyond 2^53');
  expected[pk] = { slot: l.slot, write_version: l.writeVersion, lamports: Number(l.lamports), owner: l.owner, data: l.data };
}

mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(path.join(OUT_DIR, 'sample.jsonl'), out.map((l) => l.text).join('\n') + '\n');
writeFileSync(path.join(OUT_DIR, 'sample.expected.json'), JSON.stringify(expected, null, 2) + '\n');

// --- summary; with --table also the account table and story for ../README.md ----------------------------------------------------------------
const count = (k) => out.filter((l) => l.kind === k).length;
const log = (s = '') => process.stdout.write(s + '\n');
log(`wrote ${path.relative(process.cwd(), OUT_DIR)}/sample.jsonl: ${out.length} lines ` +
  `(${snapshotLines} snapshot, ${count('update') - snapshotLines} in transactions, ` +
  `${count('duplicate')} duplicates, ${count('stale')} stale re-sends), slots ${START_SLOT}..${lastSlot}, ` +
  `${newest.size} pubkeys`);
log(`wrote ${path.relative(process.cwd(), OUT_DIR)}/sample.expected.json`);
if (!process.argv.includes('--table')) process.exit(0);
log();
log('| account | pubkey | role |');
log('| --- | --- | --- |');
for (const a of accounts.values()) {
  const role = a.kind === 'mint'
    ? `decimals ${a.decimals}, mint authority ${a.mintAuthority ? 'set' : 'none'}, freeze authority ${a.freezeAuthority ? 'set' : 'none'}`
    : a.role ?? '';
  log(`| ${a.label} | \`${a.pubkey}\` | ${role} |`);
}
log();
for (const s of story) log(`- ${s}`);
