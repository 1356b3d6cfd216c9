// Independent checker for ../replay/sample.jsonl and ../replay/sample.expected.json.
// It reads only the files (nothing from generate.mjs) and exits non-zero if any check fails.
//
//   node verify.mjs [path/to/replay.jsonl]
//
// Checks: every line parses and has the documented fields and types; pubkeys, owners and
// signatures are valid base58 of the right length; data decodes with the owner program's reader and
// carries exactly the rent-exempt minimum of lamports:
//   - SPL Token (Tokenkeg): MintLayout / unpackAccount / unpackMultisig by size;
//   - Token-2022: unpackMint / unpackAccount with getExtensionTypes; the TLVs tile the data exactly, mints hold
//     mint extensions and accounts account extensions, getMintLen / getAccountLen give the data size, every
//     account carries the extensions its mint requires, TokenMetadata unpacks (spl-token-metadata) and the
//     MetadataPointer points at the mint itself;
//   - Meteora DAMM v2 (cp_amm): the discriminator names an IDL account, the size is BorshAccountsCoder.size, the
//     coder decodes it (and re-encodes the same bytes), token mints sit at the SDK's memcmp offsets, PDAs (pool,
//     vaults, position, position NFT account) derive from the IDL seeds, the price is in range and the reserves
//     match the constant-product curve of the pool's liquidity;
//   - system accounts have no data.
// "Fresh" lines (write_version above every earlier line) have strictly increasing write_version and
// non-decreasing slot; every other line is a byte-identical copy of an earlier line (a duplicate of the
// account's newest line, or a stale re-send of an older one). Within a transaction all updates share the slot,
// lamports sum to -5000 (one fee) and, per mint, token deltas (Token-2022: amount + withheld fee, plus the
// mint's withheld) equal the supply delta; a Token-2022 transfer debits credit + fee with fee =
// calculateEpochFee for the slot's epoch; frozen accounts never move, paused mints never move; after a
// transaction each DAMM v2 vault holds exactly the pool's reserve + protocol fee + unclaimed LP fee, and a swap
// moves the price against the token that came in. wSOL accounts have lamports = rent reserve + amount. The
// expected file is the newest line per pubkey by (slot, write_version), with the account type and program a
// decoder must report (and the sqrt_price of pools).

import { PublicKey } from '@solana/web3.js';
import {
  ACCOUNT_SIZE,
  AccountType,
  ExtensionType,
  MINT_SIZE,
  MULTISIG_SIZE,
  MintLayout,
  NATIVE_MINT,
  TOKEN_2022_PROGRAM_ID,
  TOKEN_PROGRAM_ID,
  calculateEpochFee,
  getAccountLen,
  getAccountTypeOfMintType,
  getDefaultAccountState,
  getExtensionData,
  getExtensionTypes,
  getMetadataPointerState,
  getMintLen,
  getPausableConfig,
  getTransferFeeAmount,
  getTransferFeeConfig,
  isAccountExtension,
  isMintExtension,
  unpackAccount,
  unpackMint,
  unpackMultisig,
} from '@solana/spl-token';
import { unpack as unpackTokenMetadata } from '@solana/spl-token-metadata';
import anchor from '@coral-xyz/anchor';
import { POOL_TOKEN_A_MINT_OFFSET, POOL_TOKEN_B_MINT_OFFSET } from '@meteora-ag/cp-amm-sdk';
import bs58 from 'bs58';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const { BorshAccountsCoder, BorshCoder } = anchor;
const here = path.dirname(fileURLToPath(import.meta.url));
const file = process.argv[2] ?? path.resolve(here, '..', 'replay', 'sample.jsonl');
const expectedFile = file.replace(/\.jsonl$/, '.expected.json');
const idl = JSON.parse(readFileSync(path.resolve(here, '..', '..', 'idls', 'meteora-damm-v2.json'), 'utf8'));
const SYSTEM = '11111111111111111111111111111111';
const TOKEN = TOKEN_PROGRAM_ID.toBase58();
const TOKEN22 = TOKEN_2022_PROGRAM_ID.toBase58();
const CP_AMM = idl.address;
const CP_AMM_ID = new PublicKey(CP_AMM);
const FEE = -5000n;
const U64_MAX = 18446744073709551615n;
const SLOTS_PER_EPOCH = 432_000n;
const rentExempt = (len) => (128n + BigInt(len)) * 6960n;
const constant = (name) => idl.constants.find((c) => c.name === name).value;
const seed = (name) => Buffer.from(JSON.parse(constant(name)));
const FEE_DENOMINATOR = BigInt(constant('FEE_DENOMINATOR'));
const pda = (...seeds) => PublicKey.findProgramAddressSync(seeds.map((s) => (s instanceof PublicKey ? s.toBuffer() : s)), CP_AMM_ID)[0].toBase58();
const POOL_AUTHORITY = pda(seed('POOL_AUTHORITY_PREFIX'));
const coder = new BorshAccountsCoder(idl);
const types = new BorshCoder(idl).types;
const big = (x) => BigInt(x.toString());
const u256 = (arr) => arr.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
// price sanity per pool pair (token A / token B, in B per A after decimals)
const PRICE_RANGES = {
  'So11111111111111111111111111111111111111112/EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v': [100, 200],
  'JUPyiwrYJFskUPiHa7hkeR8VUtAeFoSYbKedZNsDvCN/EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v': [0.1, 2],
};

let failures = 0;
let checks = 0;
function check(cond, msg) {
  checks++;
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
const state = new Map(); // pubkey -> decoded newest state
const txs = new Map(); // signature -> [{ pubkey, slot, before, after }]
const configs = new Set(); // Config pubkeys seen
let maxWv = -1n;
let lastSlot = -1n;
let fresh = 0, duplicates = 0, stale = 0, unsigned = 0, closed = 0;
const slots = new Set();

// Numbers are parsed from the text as BigInt, so u64 values are exact.
const intField = (text, name) => {
  const m = text.match(new RegExp(`"${name}":(\\d+)[,}]`));
  return m ? BigInt(m[1]) : null;
};

/** The account type and program a decoder must report, from owner, size and the type bytes alone. */
function classify(owner, data) {
  if (owner === SYSTEM) return ['system_account', 'system'];
  if (owner === TOKEN) return [data.length === MINT_SIZE ? 'mint' : data.length === MULTISIG_SIZE ? 'multisig' : 'token_account', 'spl-token'];
  if (owner === TOKEN22) {
    if (data.length === MINT_SIZE) return ['mint', 'spl-token-2022'];
    if (data.length === MULTISIG_SIZE) return ['multisig', 'spl-token-2022'];
    if (data.length > ACCOUNT_SIZE) return [data[ACCOUNT_SIZE] === AccountType.Mint ? 'mint' : 'token_account', 'spl-token-2022'];
    return ['token_account', 'spl-token-2022'];
  }
  if (owner === CP_AMM) {
    const acc = idl.accounts.find((a) => data.subarray(0, 8).equals(Buffer.from(a.discriminator)));
    return [acc ? acc.name : 'unknown', 'cp_amm'];
  }
  return ['unknown', 'unknown'];
}

/** Parses a TLV region the way Token-2022 does and checks that the entries tile it exactly. */
function tlvEntries(tlv, where) {
  const entries = [];
  let i = 0;
  while (i + 4 <= tlv.length) {
    const type = tlv.readUInt16LE(i);
    const len = tlv.readUInt16LE(i + 2);
    check(type !== ExtensionType.Uninitialized, `${where}: uninitialized TLV entry`);
    check(i + 4 + len <= tlv.length, `${where}: TLV entry overruns the data`);
    entries.push({ type, len });
    i += 4 + len;
  }
  check(i === tlv.length, `${where}: TLV entries do not end at the end of the data`);
  return entries;
}

function decodeToken22(o, data, pk, lamports) {
  const info = { data, owner: TOKEN_2022_PROGRAM_ID, lamports: Number(lamports), executable: false };
  const [type] = classify(o.owner, data);
  check(lamports === rentExempt(data.length), `${o.pubkey}: lamports ${lamports} != rent-exempt minimum for ${data.length} bytes`);
  if (type === 'mint') {
    const m = unpackMint(pk, info, TOKEN_2022_PROGRAM_ID);
    check(m.isInitialized, `${o.pubkey}: mint not initialized`);
    const exts = getExtensionTypes(m.tlvData);
    check(JSON.stringify(tlvEntries(m.tlvData, o.pubkey).map((e) => e.type)) === JSON.stringify(exts), `${o.pubkey}: TLV parse`);
    check(exts.every(isMintExtension), `${o.pubkey}: account extension on a mint`);
    const md = getExtensionData(ExtensionType.TokenMetadata, m.tlvData);
    const fixed = exts.filter((t) => t !== ExtensionType.TokenMetadata);
    check(getMintLen(fixed, md ? { [ExtensionType.TokenMetadata]: md.length } : {}) === data.length, `${o.pubkey}: size != getMintLen`);
    let metadata = null;
    if (md) {
      metadata = unpackTokenMetadata(md);
      check(metadata.mint.equals(pk), `${o.pubkey}: TokenMetadata.mint is not the mint`);
      check(metadata.name.length > 0 && metadata.symbol.length > 0, `${o.pubkey}: TokenMetadata name/symbol`);
      const ptr = getMetadataPointerState(m);
      check(ptr && ptr.metadataAddress && ptr.metadataAddress.equals(pk), `${o.pubkey}: MetadataPointer does not point at the mint`);
    }
    const fee = getTransferFeeConfig(m);
    return {
      kind: 'mint', t22: true, supply: m.supply, decimals: m.decimals, withheld: fee?.withheldAmount ?? 0n, transferFee: fee,
      exts, metadata, paused: getPausableConfig(m)?.paused ?? false, defaultState: getDefaultAccountState(m)?.state,
      mintAuthority: m.mintAuthority, freezeAuthority: m.freezeAuthority,
    };
  }
  const a = unpackAccount(pk, info, TOKEN_2022_PROGRAM_ID);
  const exts = getExtensionTypes(a.tlvData);
  if (data.length > ACCOUNT_SIZE) {
    check(data[ACCOUNT_SIZE] === AccountType.Account, `${o.pubkey}: account type byte`);
    check(JSON.stringify(tlvEntries(a.tlvData, o.pubkey).map((e) => e.type)) === JSON.stringify(exts), `${o.pubkey}: TLV parse`);
  }
  check(exts.every(isAccountExtension), `${o.pubkey}: mint extension on a token account`);
  check(data.length === (exts.length ? getAccountLen(exts) : ACCOUNT_SIZE), `${o.pubkey}: size != getAccountLen`);
  const mint = state.get(a.mint.toBase58());
  check(mint && mint.kind === 'mint' && mint.t22, `${o.pubkey}: its Token-2022 mint is not in the stream before it`);
  if (mint?.exts) {
    const required = mint.exts.map(getAccountTypeOfMintType).filter((t) => t !== ExtensionType.Uninitialized);
    check(required.every((t) => exts.includes(t)), `${o.pubkey}: missing extensions its mint requires (${required.map((t) => ExtensionType[t])})`);
  }
  check(!a.isNative, `${o.pubkey}: native Token-2022 account`);
  return { kind: 'token', t22: true, mint: a.mint.toBase58(), amount: a.amount, withheld: getTransferFeeAmount(a)?.withheldAmount ?? 0n,
    frozen: a.isFrozen, owner: a.owner.toBase58(), exts };
}

function decodeAnchor(o, data, lamports) {
  const [name] = classify(o.owner, data);
  check(name !== 'unknown', `${o.pubkey}: no IDL account with this discriminator`);
  if (name === 'unknown') return { kind: 'anchor', name };
  check(data.length === coder.size(name), `${o.pubkey}: ${name} is ${data.length} bytes, expected ${coder.size(name)}`);
  check(lamports === rentExempt(data.length), `${o.pubkey}: lamports != rent-exempt minimum`);
  const d = coder.decode(name, data);
  const re = Buffer.alloc(data.length);
  data.copy(re, 0, 0, 8);
  coder.accountLayouts.get(name).layout.encode(d, re, 8);
  check(re.equals(data), `${o.pubkey}: ${name} does not re-encode to the same bytes`);
  const out = { kind: 'anchor', name, d };
  if (name === 'Config') {
    configs.add(o.pubkey);
    const index = Buffer.alloc(8);
    index.writeBigUInt64LE(big(d.index));
    check(pda(Buffer.from('config'), index) === o.pubkey, `${o.pubkey}: Config is not the PDA of its index`);
  }
  if (name === 'Pool') {
    const a = d.token_a_mint.toBase58(), b = d.token_b_mint.toBase58();
    check(new PublicKey(data.subarray(POOL_TOKEN_A_MINT_OFFSET, POOL_TOKEN_A_MINT_OFFSET + 32)).toBase58() === a &&
      new PublicKey(data.subarray(POOL_TOKEN_B_MINT_OFFSET, POOL_TOKEN_B_MINT_OFFSET + 32)).toBase58() === b,
      `${o.pubkey}: token mints not at the SDK's memcmp offsets (layout differs from the program's)`);
    // seeds: "pool", config, max(mint a, mint b), min(mint a, mint b) (byte order)
    const [hiMint, loMint] = Buffer.compare(d.token_a_mint.toBuffer(), d.token_b_mint.toBuffer()) > 0
      ? [d.token_a_mint, d.token_b_mint] : [d.token_b_mint, d.token_a_mint];
    check([...configs].some((c) => pda(seed('POOL_PREFIX'), new PublicKey(c), hiMint, loMint) === o.pubkey),
      `${o.pubkey}: pool is not the PDA of a config in the stream and its mints`);
    check(d.token_a_vault.toBase58() === pda(seed('TOKEN_VAULT_PREFIX'), d.token_a_mint, new PublicKey(o.pubkey)) &&
      d.token_b_vault.toBase58() === pda(seed('TOKEN_VAULT_PREFIX'), d.token_b_mint, new PublicKey(o.pubkey)), `${o.pubkey}: vaults are not the PDAs`);
    const [s, lo, hi] = [big(d.sqrt_price), big(d.sqrt_min_price), big(d.sqrt_max_price)];
    check(lo <= s && s <= hi && lo > 0n, `${o.pubkey}: sqrt_price outside [sqrt_min_price, sqrt_max_price]`);
    const fee = types.decode('PodAlignedFeeTimeScheduler', Buffer.from(d.pool_fees.base_fee.base_fee_info.data));
    const cliff = big(fee.cliff_fee_numerator);
    const maxFee = BigInt(constant(d.fee_version === 0 ? 'MAX_FEE_NUMERATOR_V0' : 'MAX_FEE_NUMERATOR_V1'));
    check(cliff >= BigInt(constant('MIN_FEE_NUMERATOR')) && cliff <= maxFee, `${o.pubkey}: base fee numerator ${cliff} out of range`);
    check(d.pool_fees.protocol_fee_percent <= 100 && d.pool_fees.referral_fee_percent <= 100, `${o.pubkey}: fee percentages`);
    const L = big(d.liquidity);
    check(L > 0n, `${o.pubkey}: no liquidity`);
    // reserves on the curve: a = L (hi - s) / (s hi), b = L (s - lo) / 2^128 (Q64.64 prices, liquidity scaled by 2^64)
    const curveA = (L * (hi - s)) / (s * hi);
    const curveB = (L * (s - lo)) >> 128n;
    const near = (x, y) => (x > y ? x - y : y - x) <= 64n + y / 1_000_000n;
    check(near(big(d.token_a_amount), curveA) && near(big(d.token_b_amount), curveB),
      `${o.pubkey}: reserves ${d.token_a_amount}/${d.token_b_amount} off the curve ${curveA}/${curveB}`);
    const decA = state.get(a)?.decimals, decB = state.get(b)?.decimals;
    const price = (Number(s) / 2 ** 64) ** 2 * 10 ** ((decA ?? 0) - (decB ?? 0));
    const range = PRICE_RANGES[`${a}/${b}`];
    if (range) check(price > range[0] && price < range[1], `${o.pubkey}: price ${price} outside ${range}`);
    Object.assign(out, { sqrtPrice: s, price, tokenA: a, tokenB: b, vaultA: d.token_a_vault.toBase58(), vaultB: d.token_b_vault.toBase58() });
  }
  if (name === 'Position') {
    check(pda(seed('POSITION_PREFIX'), d.nft_mint) === o.pubkey, `${o.pubkey}: position is not the PDA of its NFT mint`);
    out.pool = d.pool.toBase58();
    out.nftAccount = pda(seed('POSITION_NFT_ACCOUNT_PREFIX'), d.nft_mint);
  }
  return out;
}

function decode(o, lamports) {
  const data = Buffer.from(o.data, 'base64');
  check(data.toString('base64') === o.data, `${o.pubkey}: data is canonical base64`);
  const pk = new PublicKey(o.pubkey);
  if (o.owner === SYSTEM) {
    check(data.length === 0, `${o.pubkey}: system account has data`);
    return { kind: o.lamports === 0 ? 'closed' : 'system' };
  }
  if (o.owner === TOKEN22) return decodeToken22(o, data, pk, lamports);
  if (o.owner === CP_AMM) return decodeAnchor(o, data, lamports);
  check(o.owner === TOKEN, `${o.pubkey}: unexpected owner ${o.owner}`);
  if (data.length === MINT_SIZE) {
    const m = MintLayout.decode(data);
    check(m.isInitialized, `${o.pubkey}: mint not initialized`);
    check(lamports === rentExempt(data.length), `${o.pubkey}: mint lamports`);
    return { kind: 'mint', supply: m.supply, decimals: m.decimals, withheld: 0n };
  }
  if (data.length === MULTISIG_SIZE) {
    unpackMultisig(pk, { data, owner: TOKEN_PROGRAM_ID, lamports: Number(lamports), executable: false });
    return { kind: 'multisig' };
  }
  check(data.length === ACCOUNT_SIZE, `${o.pubkey}: token data length ${data.length}`);
  const info = { data, owner: TOKEN_PROGRAM_ID, lamports: o.lamports, executable: false };
  const a = unpackAccount(pk, info);
  check(a.delegatedAmount <= U64_MAX && a.amount <= U64_MAX, `${o.pubkey}: u64 overflow`);
  if (a.isNative) {
    check(a.mint.equals(NATIVE_MINT), `${o.pubkey}: is_native on a non-native mint`);
    check(a.rentExemptReserve === rentExempt(ACCOUNT_SIZE), `${o.pubkey}: wSOL rent reserve`);
    check(BigInt(o.lamports) === a.rentExemptReserve + a.amount, `${o.pubkey}: wSOL lamports != reserve + amount`);
  } else {
    check(lamports === rentExempt(ACCOUNT_SIZE), `${o.pubkey}: token account lamports`);
  }
  return { kind: 'token', mint: a.mint.toBase58(), amount: a.amount, withheld: 0n, frozen: a.isFrozen, delegate: a.delegate,
    native: a.isNative, owner: a.owner.toBase58() };
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

  const after = { lamports, slot, ...decode(o, lamports) };
  if (after.kind === 'closed') closed++;
  const before = state.get(o.pubkey) ?? { lamports: 0n, kind: 'none' };
  state.set(o.pubkey, after);
  if (o.txn_signature) {
    if (!txs.has(o.txn_signature)) txs.set(o.txn_signature, []);
    txs.get(o.txn_signature).push({ pubkey: o.pubkey, slot, before, after, lineState: new Map(state) });
  } else {
    check(before.kind === 'none', `${where}: unsigned (snapshot) update of an already-seen account`);
  }
});

/** After a transaction: every DAMM v2 vault holds reserve + protocol fee + the LP fees not yet claimed. */
function checkPoolVaults(st, poolKey, where) {
  const p = st.get(poolKey);
  if (!p || p.name !== 'Pool') return;
  const d = p.d;
  const positions = [...st.entries()].filter(([, s]) => s.kind === 'anchor' && s.name === 'Position' && s.pool === poolKey).map(([, s]) => s.d);
  check(positions.length === Number(big(d.metrics.total_position)), `${where}: ${poolKey} has ${positions.length} positions, metrics say ${d.metrics.total_position}`);
  for (const [side, vault, mint] of [['a', p.vaultA, p.tokenA], ['b', p.vaultB, p.tokenB]]) {
    const v = st.get(vault);
    check(v && v.kind === 'token' && v.mint === mint && v.owner === POOL_AUTHORITY, `${where}: ${poolKey} vault ${side} is not a ${mint} account of the pool authority`);
    if (!v) continue;
    const claimed = positions.reduce((acc, pos) => acc + big(pos.metrics[`total_claimed_${side}_fee`]), 0n);
    const want = big(d[`token_${side}_amount`]) + big(d[`protocol_${side}_fee`]) + big(d.metrics[`total_lp_${side}_fee`]) - claimed;
    check(v.amount === want, `${where}: ${poolKey} vault ${side} holds ${v.amount}, reserve + protocol fee + unclaimed LP fee = ${want}`);
  }
  for (const pos of positions) {
    // a position's unclaimed fee never exceeds what the pool's fee-per-liquidity owes it
    const L = big(pos.unlocked_liquidity) + big(pos.vested_liquidity) + big(pos.permanent_locked_liquidity);
    check(L <= big(d.liquidity), `${where}: position liquidity above the pool's`);
    check(u256(d.fee_b_per_liquidity) >= u256(pos.fee_b_per_token_checkpoint), `${where}: fee checkpoint ahead of the pool`);
  }
}

// Transactions: same slot, one fee, token deltas match supply deltas per mint, fees, freezes, pauses, pools.
let swaps = 0, feeTransfers = 0;
for (const [sig, ups] of txs) {
  const where = `tx ${sig.slice(0, 12)}…`;
  check(new Set(ups.map((u) => u.slot)).size === 1, `${where}: spans slots`);
  const slot = ups[0].slot;
  const st = ups.at(-1).lineState; // every account's state right after this transaction
  const dl = ups.reduce((s, u) => s + u.after.lamports - u.before.lamports, 0n);
  check(dl === FEE, `${where}: lamports delta ${dl}, expected ${FEE}`);
  const tokenDelta = new Map();
  const supplyDelta = new Map();
  const perMint = new Map(); // mint -> [{ dAmount, dWithheld }]
  for (const u of ups) {
    if (u.after.kind === 'token' || u.before.kind === 'token') {
      const mint = u.after.mint ?? u.before.mint;
      const dAmount = (u.after.amount ?? 0n) - (u.before.amount ?? 0n);
      const dWithheld = (u.after.withheld ?? 0n) - (u.before.withheld ?? 0n);
      tokenDelta.set(mint, (tokenDelta.get(mint) ?? 0n) + dAmount + dWithheld);
      if (!perMint.has(mint)) perMint.set(mint, []);
      perMint.get(mint).push({ dAmount, dWithheld });
      check(!(u.before.frozen && dAmount !== 0n), `${where}: frozen account moved`);
      check(!(dAmount !== 0n && st.get(mint)?.paused), `${where}: tokens of a paused mint moved`);
    }
    if (u.after.kind === 'mint') {
      supplyDelta.set(u.pubkey, u.after.supply - (u.before.supply ?? 0n));
      // withheld fees harvested to the mint are still tokens of the supply
      tokenDelta.set(u.pubkey, (tokenDelta.get(u.pubkey) ?? 0n) + u.after.withheld - (u.before.withheld ?? 0n));
    }
  }
  for (const [mint, d] of tokenDelta) {
    if (mint === NATIVE_MINT.toBase58()) continue; // wrapping SOL creates wSOL without a supply change
    check(d === (supplyDelta.get(mint) ?? 0n), `${where}: ${mint} token delta ${d} != supply delta`);
  }
  // Token-2022 transfer fee: the recipient gets amount - fee and withholds fee = calculateEpochFee(amount)
  for (const [mint, moves] of perMint) {
    const cfg = st.get(mint)?.transferFee;
    if (!cfg) continue;
    const debits = moves.filter((m) => m.dAmount < 0n);
    const credits = moves.filter((m) => m.dAmount > 0n);
    if (debits.length === 1 && credits.length === 1) {
      const amount = -debits[0].dAmount;
      const fee = calculateEpochFee(cfg, slot / SLOTS_PER_EPOCH, amount);
      check(credits[0].dWithheld === fee && credits[0].dAmount + fee === amount,
        `${where}: transfer of ${amount} credits ${credits[0].dAmount} and withholds ${credits[0].dWithheld}, expected fee ${fee}`);
      if (fee > 0n) feeTransfers++;
    }
  }
  // DAMM v2: vault balances after the transaction; a swap moves the price against the incoming token
  const pools = new Set();
  for (const u of ups) {
    if (u.after.name === 'Pool') pools.add(u.pubkey);
    if (u.after.name === 'Position') pools.add(u.after.pool);
    for (const [pk, s] of st) if (s.name === 'Pool' && (s.vaultA === u.pubkey || s.vaultB === u.pubkey)) pools.add(pk);
  }
  for (const pk of pools) {
    checkPoolVaults(st, pk, where);
    const u = ups.find((x) => x.pubkey === pk);
    if (u && u.before.kind === 'anchor' && u.after.sqrtPrice !== u.before.sqrtPrice) {
      swaps++;
      const va = ups.find((x) => x.pubkey === u.after.vaultA);
      const vb = ups.find((x) => x.pubkey === u.after.vaultB);
      check(va && vb, `${where}: swap without both vaults`);
      if (va && vb) {
        const dA = va.after.amount - va.before.amount;
        const dB = vb.after.amount - vb.before.amount;
        check(dA !== 0n && dB !== 0n && (dA > 0n) !== (dB > 0n), `${where}: a swap takes one token in and pays the other out`);
        check((dA > 0n) === (u.after.sqrtPrice < u.before.sqrtPrice), `${where}: price moved the wrong way`);
        check(big(u.after.d.liquidity) === big(u.before.d.liquidity), `${where}: liquidity changed in a swap`);
      }
    }
  }
}

// Positions: NFT mint (supply 1, decimals 0, freeze authority the pool) and NFT account (PDA, amount 1).
for (const [pk, s] of state) {
  if (s.name !== 'Position') continue;
  const nft = state.get(s.d.nft_mint.toBase58());
  check(nft && nft.t22 && nft.kind === 'mint' && nft.supply === 1n && nft.decimals === 0 && nft.freezeAuthority?.toBase58() === s.pool,
    `${pk}: position NFT mint`);
  const acc = state.get(s.nftAccount);
  check(acc && acc.t22 && acc.kind === 'token' && acc.mint === s.d.nft_mint.toBase58() && acc.amount === 1n, `${pk}: position NFT account`);
  check(state.get(s.pool)?.name === 'Pool', `${pk}: its pool is not in the stream`);
}

// Expected state: the newest line per pubkey by (slot, write_version), with type, program and pool price.
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
const typeCount = new Map();
for (const [pk, n] of newest) {
  const e = expected[pk];
  check(e && BigInt(e.slot) === n.slot && BigInt(e.write_version) === n.wv && e.lamports === n.o.lamports &&
    e.owner === n.o.owner && e.data === n.o.data, `expected state of ${pk} differs from the newest line`);
  check(newestWv.get(pk) === n.wv, `${pk}: newest by (slot, write_version) is not the newest fresh line`);
  if (!e) continue;
  const [type, program] = classify(n.o.owner, Buffer.from(n.o.data, 'base64'));
  check(e.account_type === type.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase() && e.program === program, `${pk}: expected ${e.program}/${e.account_type}, the data says ${program}/${type}`);
  typeCount.set(`${program} ${type}`, (typeCount.get(`${program} ${type}`) ?? 0) + 1);
  if (type === 'Pool') {
    check(typeof e.sqrt_price === 'string' && /^\d+$/.test(e.sqrt_price) && BigInt(e.sqrt_price) === state.get(pk).sqrtPrice,
      `${pk}: expected sqrt_price ${e.sqrt_price} != decoded ${state.get(pk)?.sqrtPrice}`);
  } else {
    check(!('sqrt_price' in e), `${pk}: sqrt_price on a non-pool entry`);
  }
  const extra = Object.keys(e).filter((k) => !['slot', 'write_version', 'lamports', 'owner', 'data', 'account_type', 'program', 'sqrt_price'].includes(k));
  check(extra.length === 0, `${pk}: unexpected fields ${extra}`);
}

const tokenCount = [...state.values()].filter((s) => s.kind === 'token').length;
console.log(`${texts.length} lines: ${fresh} fresh (${unsigned} without txn_signature), ` +
  `${duplicates} duplicates, ${stale} stale re-sends; ${slots.size} distinct slots ${[...slots].reduce((a, b) => (a < b ? a : b))}..${lastSlot}; ` +
  `${newest.size} pubkeys (${tokenCount} live token accounts, ${closed} closed); ${txs.size} transactions`);
console.log(`accounts: ${[...typeCount].map(([k, v]) => `${v} ${k}`).join(', ')}`);
console.log(`Token-2022: ${feeTransfers} transfers with a withheld fee; DAMM v2: ${swaps} swaps; final prices: ` +
  [...state.entries()].filter(([, s]) => s.name === 'Pool').map(([pk, s]) => `${pk.slice(0, 6)}… ${s.price.toFixed(4)} (sqrt_price ${s.sqrtPrice})`).join(', '));
check(texts.length >= 700 && texts.length <= 900, 'line count 700..900');
check(duplicates >= 3 && stale >= 2 && closed >= 1, 'has duplicates, stale re-sends and a closed account');
check(feeTransfers >= 3 && swaps >= 10, 'has Token-2022 fee transfers and DAMM v2 swaps');
if (failures) {
  console.error(`${failures} of ${checks} checks failed`);
  process.exit(1);
}
console.log(`verify: all ${checks} checks passed`);
