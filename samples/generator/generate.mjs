// Deterministic generator for the embedded demo's replay file.
//
//   cd samples/generator && npm ci && node generate.mjs   (add --table to print the README's account table)
//
// Writes ../replay/sample.jsonl (one account update per line) and
// ../replay/sample.expected.json (newest state per pubkey, with the account type a decoder must report). The
// output depends only on SEED and SEED_EXT: all randomness comes from two mulberry32 PRNGs below (never
// Math.random), keypairs come from Keypair.fromSeed, token accounts live at their associated token addresses (or
// the program's PDAs), and account data is encoded with the libraries' own layouts: spl-token's MintLayout /
// AccountLayout and Token-2022 extension layouts (TLVs laid out as getMintLen / getAccountLen size them),
// @solana/spl-token-metadata's pack for TokenMetadata, and @coral-xyz/anchor's BorshAccountsCoder from the
// Meteora DAMM v2 (cp_amm) IDL. Running it twice gives byte-identical files.
//
// The story (see ../README.md): a snapshot of every account is streamed first (no txn_signature), then ~135
// slots of transactions. The SPL Token part (PRNG SEED): token transfers, mints, burns, an approve + delegated
// transfer, a freeze, a SOL wrap, an ATA creation, an account closure and plain SOL transfers. Interleaved with
// it, the Token-2022 / DAMM v2 part (PRNG SEED_EXT, so the SPL part keeps its keys, events and random choices):
// PYUSD transfers whose transfer fee is withheld on the recipient, a PYUSD mint-to, ATA creation and harvest,
// an interest-bearing / default-frozen / pausable mint (thaw, rate change, pause, resume), swaps on a SOL/USDC
// and a JUP/USDC DAMM v2 pool, a pool creation and position fee claims. A handful of exact duplicate lines and a
// few stale (older write_version) re-sends are mixed in.

import { Keypair, PublicKey } from '@solana/web3.js';
import {
  AccountLayout,
  AccountState,
  AccountType,
  ACCOUNT_SIZE,
  DefaultAccountStateLayout,
  ExtensionType,
  ImmutableOwnerLayout,
  InterestBearingMintConfigStateLayout,
  MetadataPointerLayout,
  MintCloseAuthorityLayout,
  MintLayout,
  MINT_SIZE,
  NATIVE_MINT,
  PausableAccountLayout,
  PausableConfigLayout,
  PermanentDelegateLayout,
  TOKEN_2022_PROGRAM_ID,
  TOKEN_PROGRAM_ID,
  TransferFeeAmountLayout,
  TransferFeeConfigLayout,
  TransferHookAccountLayout,
  TransferHookLayout,
  calculateEpochFee,
  getAccountLen,
  getAccountTypeOfMintType,
  getAssociatedTokenAddressSync,
  getExtensionTypes,
  getMintLen,
  unpackAccount,
  unpackMint,
} from '@solana/spl-token';
import { pack as packTokenMetadata } from '@solana/spl-token-metadata';
import anchor from '@coral-xyz/anchor';
import {
  CP_AMM_PROGRAM_ID,
  FEE_DENOMINATOR,
  MAX_SQRT_PRICE,
  MIN_SQRT_PRICE,
  TradeDirection,
  deriveConfigAddress,
  derivePoolAddress,
  derivePoolAuthority,
  derivePositionAddress,
  derivePositionNftAccount,
  deriveTokenVaultAddress,
  getFeeMode,
  getInitialConcentratedLiquidityPoolInformation,
  getLiquidityDeltaFromAmountAForConcentratedLiquidity,
  getLiquidityDeltaFromAmountBForConcentratedLiquidity,
  getPriceFromSqrtPrice,
  getSqrtPriceFromPrice,
  getSwapResultFromExactInput,
} from '@meteora-ag/cp-amm-sdk';
import bs58 from 'bs58';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const { BN, BorshAccountsCoder, BorshCoder } = anchor;

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

const SEED = 0x0a6c6a17; // the SPL Token story (keys, amounts, events)
const SEED_EXT = 0x2022da33; // the Token-2022 and DAMM v2 additions
const START_SLOT = 312_000_000;
const START_WRITE_VERSION = 1_207_934_110_213;
const START_UNIX_TIMESTAMP = 1_736_870_400; // block time of START_SLOT (2025-01-14T16:00:00Z); 400 ms per slot
const SLOTS_PER_EPOCH = 432_000;
const EVENT_SLOTS = 135; // slots of transactions after the snapshot
const LINES_MIN = 700;
const LINES_MAX = 900;
const U64_MAX = '18446744073709551615'; // rent_epoch of rent-exempt accounts, written literally
const SYSTEM_PROGRAM = '11111111111111111111111111111111';
const TOKEN_PROGRAM = TOKEN_PROGRAM_ID.toBase58(); // TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA
const TOKEN_2022_PROGRAM = TOKEN_2022_PROGRAM_ID.toBase58(); // TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb
const CP_AMM_PROGRAM = CP_AMM_PROGRAM_ID.toBase58(); // cpamdpZCGKUy5JxQXB4dcpGPiikHawvSWAd6mEn1sGG
const FEE = 5000n; // one signature
const rentExempt = (len) => (128n + BigInt(len)) * 3480n * 2n; // Rent::minimum_balance
const TOKEN_ACCOUNT_RENT = 2_039_280n; // (128 + 165) * 3480 * 2
const MINT_RENT = 1_461_600n; // (128 + 82) * 3480 * 2
const LAMPORTS_PER_SOL = 1_000_000_000n;

const here = path.dirname(fileURLToPath(import.meta.url));
const OUT_DIR = path.resolve(here, '..', 'replay');
const IDL_PATH = path.resolve(here, '..', '..', 'idls', 'meteora-damm-v2.json');

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
function makeRng(seed) {
  const rand = mulberry32(seed);
  const randInt = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1)); // inclusive
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const randBytes = (n) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
    return b;
  };
  // Skewed towards the low end (many small holders, a few large); only + and * so it is exact.
  const skewed = (lo, hi) => {
    const r = rand();
    return lo + r * r * r * (hi - lo);
  };
  return {
    rand, randInt, pick, randBytes, skewed,
    signature: () => bs58.encode(randBytes(64)),
    keypair: () => Keypair.fromSeed(randBytes(32)),
  };
}
const R1 = makeRng(SEED); // SPL Token story
const R2 = makeRng(SEED_EXT); // Token-2022 + DAMM v2
const { rand, randInt, pick, skewed } = R1;
const newKeypair = R1.keypair;
function assert(cond, msg) {
  if (!cond) throw new Error(`invariant violated: ${msg}`);
}
const layoutBytes = (layout, value) => {
  const b = Buffer.alloc(layout.span);
  layout.encode(value, b);
  return b;
};

// ---------------------------------------------------------------------------------------------
// Accounts model
// ---------------------------------------------------------------------------------------------

/** pubkey (base58) -> account */
const accounts = new Map();
let origin = 'spl'; // which part of the generator creates accounts / writes lines: 'spl' or 'ext'

function addAccount(acct) {
  assert(!accounts.has(acct.pubkey), `duplicate pubkey ${acct.pubkey}`);
  acct.versions = []; // emitted lines of this account, in order: { slot, writeVersion, text }
  acct.origin = origin;
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
  'approves w4 as delegate on its USDC; sends SOL to w3; holds PYUSD; swaps JUP/USDC',
  'market maker: owns the SOL/USDC DAMM v2 position and claims its fees; receives USDC and PYUSD mint-tos, later burns USDC; swaps JUP/USDC',
  'holds wSOL; burns BONK; sends wSOL to w5; swaps SOL/USDC',
  'receives SOL from w0; empties and closes its JUP account; holds PYUSD',
  'delegate of w0 USDC; spends part of the allowance; holds YLD',
  'wraps SOL into its wSOL account; holds PYUSD; swaps SOL/USDC and JUP/USDC',
  'its USDT account is frozen by the USDT freeze authority; opens a YLD account (frozen by default, then thawed)',
  'creates a BONK and a PYUSD associated token account mid-way',
  'receives a JUP mint-to; burns BONK; holds YLD; creates the JUP/USDC DAMM v2 pool and claims its fees',
  'receives a USDT mint-to; sends SOL to w6; holds PYUSD; harvests PYUSD withheld fees',
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
const tokens = {}; // `w3 JUP` -> account (the SPL story's token accounts; random transfers pick from these)
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

// =============================================================================================
// Token-2022 and Meteora DAMM v2 accounts (all keys and amounts from R2)
// =============================================================================================
origin = 'ext';
const fromUnits = (units, decimals) => BigInt(Math.round(units * 10 ** Math.min(decimals, 6))) * 10n ** BigInt(Math.max(decimals - 6, 0));
const unixTimestamp = (s) => START_UNIX_TIMESTAMP + Math.floor(((s - START_SLOT) * 2) / 5);
const epochOf = (s) => BigInt(Math.floor(s / SLOTS_PER_EPOCH));

function extWallet(label, role, sol) {
  const kp = R2.keypair();
  return addAccount({
    kind: 'wallet', label, role, pubkey: kp.publicKey.toBase58(), key: kp.publicKey,
    owner: SYSTEM_PROGRAM, lamports: BigInt(Math.floor(sol * 1e9)), exists: true,
  });
}
const pyusdIssuer = extWallet('PYUSD issuer', 'PYUSD mint, close, transfer-fee, transfer-hook, metadata authority; signs the PYUSD mint-to', R2.skewed(2, 40));
const yldIssuer = extWallet('YLD issuer', 'YLD mint, freeze, rate and pause authority; signs the thaw, mint-to, rate change, pause and resume', R2.skewed(2, 40));
const pyusdFreezeAuthority = R2.keypair().publicKey; // keys that sign nothing in the sample
const pyusdPermanentDelegate = R2.keypair().publicKey;

// --- Token-2022 mints: extension state, laid out as TLVs after the 165-byte base + account type -------
const PYUSD_GRAN = 10_000n; // 0.01 PYUSD
const pyusd = addAccount({
  kind: 'mint22', label: 'PYUSD mint', symbol: 'PYUSD', pubkey: '2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo',
  owner: TOKEN_2022_PROGRAM, decimals: 6, supply: 412_650_118_432_187n, exists: true,
  mintAuthority: pyusdIssuer.key, freezeAuthority: pyusdFreezeAuthority,
  // the order the extensions were initialized in (= TLV order); TokenMetadata is appended by its own init
  extOrder: [ExtensionType.MintCloseAuthority, ExtensionType.PermanentDelegate, ExtensionType.TransferHook,
    ExtensionType.TransferFeeConfig, ExtensionType.MetadataPointer, ExtensionType.TokenMetadata],
  ext: {
    closeAuthority: pyusdIssuer.key,
    permanentDelegate: pyusdPermanentDelegate,
    transferHook: { authority: pyusdIssuer.key, programId: PublicKey.default }, // no hook program
    transferFee: {
      transferFeeConfigAuthority: pyusdIssuer.key, withdrawWithheldAuthority: pyusdIssuer.key,
      withheldAmount: 1_845_270_000n, // already harvested to the mint before the sample
      olderTransferFee: { epoch: 700n, maximumFee: 0n, transferFeeBasisPoints: 0 },
      newerTransferFee: { epoch: 715n, maximumFee: 25_000_000n, transferFeeBasisPoints: 10 }, // 0.1%, max 25 PYUSD
    },
    metadataPointer: { authority: pyusdIssuer.key, metadataAddress: new PublicKey('2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo') },
    metadata: {
      updateAuthority: pyusdIssuer.key, mint: new PublicKey('2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo'),
      name: 'PayPal USD', symbol: 'PYUSD',
      uri: 'https://token-metadata.paxos.com/pyusd_metadata/prod/solana/pyusd_metadata.json',
      additionalMetadata: [['issuer', 'Paxos Trust Company']],
    },
  },
});
const YLD_GRAN = 10_000n;
const yldKey = R2.keypair().publicKey;
const yld = addAccount({
  kind: 'mint22', label: 'YLD mint', symbol: 'YLD', pubkey: yldKey.toBase58(), owner: TOKEN_2022_PROGRAM,
  decimals: 6, supply: 18_250_000_000_000n, exists: true, mintAuthority: yldIssuer.key, freezeAuthority: yldIssuer.key,
  extOrder: [ExtensionType.InterestBearingConfig, ExtensionType.DefaultAccountState, ExtensionType.PausableConfig],
  ext: {
    interest: {
      rateAuthority: yldIssuer.key, initializationTimestamp: START_UNIX_TIMESTAMP - 41 * 86_400,
      preUpdateAverageRate: 500, lastUpdateTimestamp: START_UNIX_TIMESTAMP - 41 * 86_400, currentRate: 500, // 5.00%
    },
    defaultState: AccountState.Frozen, // new accounts start frozen; the issuer thaws them
    pausable: { authority: yldIssuer.key, paused: false },
  },
});

function mint22Tlv(a) {
  return a.extOrder.map((t) => {
    const e = a.ext;
    switch (t) {
      case ExtensionType.MintCloseAuthority: return [t, layoutBytes(MintCloseAuthorityLayout, { closeAuthority: e.closeAuthority })];
      case ExtensionType.PermanentDelegate: return [t, layoutBytes(PermanentDelegateLayout, { delegate: e.permanentDelegate })];
      case ExtensionType.TransferHook: return [t, layoutBytes(TransferHookLayout, e.transferHook)];
      case ExtensionType.TransferFeeConfig: return [t, layoutBytes(TransferFeeConfigLayout, e.transferFee)];
      case ExtensionType.MetadataPointer: return [t, layoutBytes(MetadataPointerLayout, e.metadataPointer)];
      case ExtensionType.TokenMetadata: return [t, Buffer.from(packTokenMetadata(e.metadata))];
      case ExtensionType.InterestBearingConfig: return [t, layoutBytes(InterestBearingMintConfigStateLayout, e.interest)];
      case ExtensionType.DefaultAccountState: return [t, layoutBytes(DefaultAccountStateLayout, { state: e.defaultState })];
      case ExtensionType.PausableConfig: return [t, layoutBytes(PausableConfigLayout, e.pausable)];
      default: throw new Error(`no encoder for mint extension ${ExtensionType[t]}`);
    }
  });
}
function tlvBytes(entries) {
  return Buffer.concat(entries.flatMap(([type, data]) => {
    const head = Buffer.alloc(4);
    head.writeUInt16LE(type, 0);
    head.writeUInt16LE(data.length, 2);
    return [head, data];
  }));
}
function mint22Len(a) {
  const entries = mint22Tlv(a);
  const fixed = a.extOrder.filter((t) => t !== ExtensionType.TokenMetadata);
  const variable = {};
  for (const [t, d] of entries) if (t === ExtensionType.TokenMetadata) variable[t] = d.length;
  return getMintLen(fixed, variable);
}
for (const m of [pyusd, yld]) m.lamports = rentExempt(mint22Len(m));

/** A Token-2022 account; ATAs carry ImmutableOwner first, then what the mint requires, in the mint's TLV order. */
function token22For(wallet, mint, { exists = true, amount = 0n, withheld = 0n, state = AccountState.Initialized,
  address = null, immutableOwner = true, label = null } = {}) {
  const required = mint.extOrder.map(getAccountTypeOfMintType).filter((t) => t !== ExtensionType.Uninitialized);
  const extTypes = [...(immutableOwner ? [ExtensionType.ImmutableOwner] : []), ...required];
  const pubkey = address ?? getAssociatedTokenAddressSync(new PublicKey(mint.pubkey), wallet.key, false, TOKEN_2022_PROGRAM_ID);
  const len = extTypes.length ? getAccountLen(extTypes) : ACCOUNT_SIZE;
  return addAccount({
    kind: 'token22', label: label ?? `${wallet.label} ${mint.symbol}`, pubkey: pubkey.toBase58(), owner: TOKEN_2022_PROGRAM,
    lamports: rentExempt(len), rent: rentExempt(len), exists, mint, wallet, amount, withheld, state, extTypes,
  });
}
const niceUnits = (lo, hi, gran, decimals) => (fromUnits(R2.skewed(lo, hi), decimals) / gran) * gran;
const t22 = {}; // `w1 PYUSD` -> account
for (const i of [0, 1, 3, 5, 9]) {
  t22[`w${i} PYUSD`] = token22For(wallets[i], pyusd, {
    amount: niceUnits(50, 120_000, PYUSD_GRAN, 6), withheld: BigInt(R2.randInt(0, 30_000_000)),
  });
}
t22['w7 PYUSD'] = token22For(wallets[7], pyusd, { exists: false });
t22['w7 PYUSD'].role = 'created mid-way; receives PYUSD (the fee is withheld on it)';
for (const i of [4, 8]) t22[`w${i} YLD`] = token22For(wallets[i], yld, { amount: niceUnits(100, 60_000, YLD_GRAN, 6) });
t22['w6 YLD'] = token22For(wallets[6], yld, { exists: false, state: AccountState.Frozen });
t22['w6 YLD'].role = 'created mid-way in state Frozen (DefaultAccountState), thawed, then minted to';
t22['w4 YLD'].role = t22['w8 YLD'].role = 'thawed before the sample';
for (const k of ['w0', 'w1', 'w3', 'w5', 'w9']) t22[`${k} PYUSD`].role = 'ImmutableOwner, TransferHookAccount, TransferFeeAmount (withheld grows as it receives)';

// --- Meteora DAMM v2 (cp_amm), encoded with anchor's BorshAccountsCoder from the IDL -------------------
const idl = JSON.parse(readFileSync(IDL_PATH, 'utf8'));
assert(idl.address === CP_AMM_PROGRAM, 'IDL program id');
assert(BigInt(idl.constants.find((c) => c.name === 'FEE_DENOMINATOR').value) === BigInt(FEE_DENOMINATOR), 'FEE_DENOMINATOR');
const ammCoder = new BorshAccountsCoder(idl);
const ammTypes = new BorshCoder(idl).types;
const POOL_AUTHORITY = derivePoolAuthority();

/** An all-zero value of an IDL type (structs as objects keyed by the IDL's field names). */
function zeroValue(type) {
  if (typeof type === 'string') {
    if (type === 'pubkey') return PublicKey.default;
    if (/^[ui](64|128|256)$/.test(type)) return new BN(0);
    if (type === 'bool') return false;
    return 0;
  }
  if (type.array) return Array.from({ length: type.array[1] }, () => zeroValue(type.array[0]));
  if (type.defined) {
    const def = idl.types.find((t) => t.name === type.defined.name);
    return Object.fromEntries(def.type.fields.map((f) => [f.name, zeroValue(f.type)]));
  }
  throw new Error(`unsupported IDL type ${JSON.stringify(type)}`);
}
/**
 * Encode a cp_amm account: discriminator, then the fields. The accounts are zero-copy (bytemuck, repr(C)) and
 * their IDL spells out every padding field, so the packed Borsh layout the coder builds is byte-for-byte the
 * repr(C) layout (Pool 8 + 1104 bytes). BorshAccountsCoder.encode allocates a fixed 1000-byte buffer, too small
 * for Pool, so the coder's own layout for the account writes into a buffer of coder.size(name).
 */
function encodeAnchor(name, value) {
  const size = ammCoder.size(name);
  const buf = Buffer.alloc(size);
  Buffer.from(idl.accounts.find((a) => a.name === name).discriminator).copy(buf, 0);
  const written = ammCoder.accountLayouts.get(name).layout.encode(value, buf, 8);
  assert(8 + written === size, `${name}: encoded ${8 + written} bytes, expected ${size}`);
  return buf;
}
const u256ToBytes = (v) => {
  const b = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) b[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return Array.from(b);
};
const bytesToU256 = (arr) => arr.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
const bn = (x) => new BN(x.toString());
const big = (x) => BigInt(x.toString());
const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
/** snake_case decoded account -> the camelCase shape the SDK's math (anchor Program accounts) expects */
function camelize(v) {
  if (Array.isArray(v)) return v.map(camelize);
  if (v && typeof v === 'object' && !(v instanceof BN) && !(v instanceof PublicKey) && !Buffer.isBuffer(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [camel(k), camelize(x)]));
  }
  return v;
}

const CONFIG_INDEX = 4;
const BASE_FEE = { cliff_fee_numerator: 2_500_000n, number_of_period: 0, period_frequency: 0n, reduction_factor: 0n, base_fee_mode: 0 };
const baseFeeInfo = () => Array.from(ammTypes.encode('PodAlignedFeeTimeScheduler', {
  cliff_fee_numerator: bn(BASE_FEE.cliff_fee_numerator), base_fee_mode: BASE_FEE.base_fee_mode, padding: [0, 0, 0, 0, 0],
  number_of_period: BASE_FEE.number_of_period, period_frequency: bn(BASE_FEE.period_frequency), reduction_factor: bn(BASE_FEE.reduction_factor),
}));
assert(baseFeeInfo().length === 32, 'BaseFeeInfo is 32 bytes');
const PROTOCOL_FEE_PERCENT = 20;
const REFERRAL_FEE_PERCENT = 20;
const COLLECT_FEE_MODE_ONLY_B = 1; // fees in token B (USDC for both pools)

const configState = zeroValue({ defined: { name: 'Config' } });
Object.assign(configState, { activation_type: 0, collect_fee_mode: COLLECT_FEE_MODE_ONLY_B, config_type: 0, index: new BN(CONFIG_INDEX),
  sqrt_min_price: MIN_SQRT_PRICE, sqrt_max_price: MAX_SQRT_PRICE });
Object.assign(configState.pool_fees, { protocol_fee_percent: PROTOCOL_FEE_PERCENT, referral_fee_percent: REFERRAL_FEE_PERCENT });
configState.pool_fees.base_fee.data = baseFeeInfo();
const configKey = deriveConfigAddress(new BN(CONFIG_INDEX));
const ammConfig = addAccount({
  kind: 'anchor', name: 'Config', label: 'DAMM v2 config', pubkey: configKey.toBase58(), owner: CP_AMM_PROGRAM,
  lamports: rentExempt(ammCoder.size('Config')), exists: true, state: configState,
  role: `index ${CONFIG_INDEX}, public (no creator authority); base fee 2,500,000 / 1,000,000,000 = 0.25% (time scheduler, no decay), protocol ${PROTOCOL_FEE_PERCENT}%, referral ${REFERRAL_FEE_PERCENT}%, collect fee mode 1 (token B), full price range`,
});

/** SPL Token vault owned by the pool authority PDA (wSOL vaults are native, like any wSOL account). */
function vaultFor(pool, mintSym, label, amount, exists) {
  const mint = mints[mintSym];
  const isNative = mint.pubkey === NATIVE_MINT.toBase58();
  return addAccount({
    kind: 'token', label, pubkey: deriveTokenVaultAddress(new PublicKey(mint.pubkey), pool).toBase58(), owner: TOKEN_PROGRAM,
    lamports: TOKEN_ACCOUNT_RENT + (isNative ? amount : 0n), exists, mint, wallet: { key: POOL_AUTHORITY, label: 'pool authority' },
    amount, delegate: null, delegatedAmount: 0n, state: AccountState.Initialized, isNative: isNative ? TOKEN_ACCOUNT_RENT : null,
    role: `${mintSym} vault (PDA token_vault, owner: pool authority ${POOL_AUTHORITY.toBase58().slice(0, 4)}…)`,
  });
}
function positionNftMint(key, pool, exists) {
  return addAccount({
    kind: 'mint22', label: null, symbol: 'MPN', pubkey: key.toBase58(), owner: TOKEN_2022_PROGRAM, decimals: 0,
    supply: exists ? 1n : 0n, exists, mintAuthority: POOL_AUTHORITY, freezeAuthority: pool,
    extOrder: [ExtensionType.MintCloseAuthority, ExtensionType.MetadataPointer, ExtensionType.TokenMetadata],
    ext: {
      closeAuthority: POOL_AUTHORITY,
      metadataPointer: { authority: POOL_AUTHORITY, metadataAddress: key },
      metadata: { updateAuthority: POOL_AUTHORITY, mint: key, name: 'Meteora Position NFT', symbol: 'MPN',
        uri: 'https://raw.githubusercontent.com/MeteoraAg/token-metadata/main/meteora_position_nft.png', additionalMetadata: [] },
    },
  });
}

/**
 * A pool from the config: state, vaults, the creator's position and its NFT. `history` seeds the cumulative
 * fee metrics of a pool that has been trading before the sample.
 */
function makePool({ symA, symB, price, reserveA, creator, activationSlot, initPrice, exists, feeVersion, history = null }) {
  const mintA = mints[symA];
  const mintB = mints[symB];
  const poolKey = derivePoolAddress(configKey, new PublicKey(mintA.pubkey), new PublicKey(mintB.pubkey));
  const sqrtPrice = getSqrtPriceFromPrice(price, mintA.decimals, mintB.decimals);
  const liquidity = getLiquidityDeltaFromAmountAForConcentratedLiquidity(bn(reserveA), sqrtPrice, MAX_SQRT_PRICE);
  const nftKey = R2.keypair().publicKey;
  const pool = zeroValue({ defined: { name: 'Pool' } });
  Object.assign(pool, {
    token_a_mint: new PublicKey(mintA.pubkey), token_b_mint: new PublicKey(mintB.pubkey),
    token_a_vault: deriveTokenVaultAddress(new PublicKey(mintA.pubkey), poolKey),
    token_b_vault: deriveTokenVaultAddress(new PublicKey(mintB.pubkey), poolKey),
    liquidity, sqrt_min_price: configState.sqrt_min_price, sqrt_max_price: configState.sqrt_max_price, sqrt_price: sqrtPrice,
    activation_point: new BN(activationSlot), activation_type: configState.activation_type, pool_status: 0,
    token_a_flag: 0, token_b_flag: 0, collect_fee_mode: configState.collect_fee_mode, pool_type: 0, fee_version: feeVersion,
    creator: creator.key, layout_version: 1,
  });
  Object.assign(pool.pool_fees, { protocol_fee_percent: PROTOCOL_FEE_PERCENT, referral_fee_percent: REFERRAL_FEE_PERCENT,
    init_sqrt_price: getSqrtPriceFromPrice(initPrice, mintA.decimals, mintB.decimals) });
  pool.pool_fees.base_fee.base_fee_info.data = baseFeeInfo();
  pool.metrics.total_position = new BN(1);
  const info = getInitialConcentratedLiquidityPoolInformation(MIN_SQRT_PRICE, MAX_SQRT_PRICE, sqrtPrice, liquidity);
  pool.token_a_amount = info.tokenAAmount;
  pool.token_b_amount = info.tokenBAmount;

  const position = zeroValue({ defined: { name: 'Position' } });
  Object.assign(position, { pool: poolKey, nft_mint: nftKey, unlocked_liquidity: liquidity });
  let unclaimedB = 0n;
  if (history) { // fees earned and claimed before the sample: the owner claimed recently, a rounding dust is left
    pool.metrics.total_lp_b_fee = bn(history.lpFeeB);
    pool.metrics.total_protocol_b_fee = bn(history.lpFeeB / 4n); // protocol 20% of the fee = 1/4 of the LP's 80%
    pool.protocol_b_fee = bn(history.protocolFeeB);
    const perLiquidity = (history.lpFeeB << 128n) / big(liquidity);
    pool.fee_b_per_liquidity = u256ToBytes(perLiquidity);
    position.fee_b_per_token_checkpoint = u256ToBytes(perLiquidity);
    position.metrics.total_claimed_b_fee = bn(history.lpFeeB - history.dust);
    unclaimedB = history.dust;
  }
  const label = `${symA}/${symB}`;
  // a pool created during the sample starts with empty vaults: the deposit arrives in the creating transaction
  const vaultA = vaultFor(poolKey, symA, `${label} vault A`, exists ? big(pool.token_a_amount) : 0n, exists);
  const vaultB = vaultFor(poolKey, symB, `${label} vault B`, exists ? big(pool.token_b_amount) + big(pool.protocol_b_fee) + unclaimedB : 0n, exists);
  const poolAcct = addAccount({
    kind: 'anchor', name: 'Pool', label: `${label} pool`, pubkey: poolKey.toBase58(), owner: CP_AMM_PROGRAM,
    lamports: rentExempt(ammCoder.size('Pool')), exists, state: pool, mintA, mintB, vaultA, vaultB, creator,
  });
  const nftMint = positionNftMint(nftKey, poolKey, exists);
  nftMint.label = `${label} position NFT mint`;
  nftMint.lamports = rentExempt(mint22Len(nftMint));
  nftMint.role = `Token-2022, decimals 0, supply 1; MintCloseAuthority, MetadataPointer, TokenMetadata ("Meteora Position NFT", MPN); freeze authority: the pool`;
  const nftAccount = token22For(creator, nftMint, {
    exists, amount: exists ? 1n : 0n, address: derivePositionNftAccount(nftKey), immutableOwner: false,
    label: `${label} position NFT account`,
  });
  nftAccount.role = `PDA position_nft_account, owner ${creator.label}, amount 1 (Token-2022, 165 bytes, no extensions)`;
  const positionAcct = addAccount({
    kind: 'anchor', name: 'Position', label: `${label} position`, pubkey: derivePositionAddress(nftKey).toBase58(),
    owner: CP_AMM_PROGRAM, lamports: rentExempt(ammCoder.size('Position')), exists, state: position, pool: poolAcct,
    nftAccount, role: `PDA position, all of the pool's liquidity; held through the NFT by ${creator.label}`,
  });
  poolAcct.position = positionAcct;
  poolAcct.nftMint = nftMint;
  return poolAcct;
}

const solPool = makePool({
  symA: 'wSOL', symB: 'USDC', price: '150.12', reserveA: 11_850n * LAMPORTS_PER_SOL, creator: wallets[1],
  activationSlot: 305_118_402, initPrice: '186.4', exists: true, feeVersion: 0,
  history: { lpFeeB: 38_412_551_204n, protocolFeeB: 1_204_330_117n, dust: 3n },
});
const jupPool = makePool({
  symA: 'JUP', symB: 'USDC', price: '0.4865', reserveA: 1n, creator: wallets[8], // sized at creation (story)
  activationSlot: 0, initPrice: '0.4865', exists: false, feeVersion: 1,
});
solPool.maxSwapDivisor = 400n; // <= 0.25% of the reserve: the price moves <= ~0.5% per swap
jupPool.maxSwapDivisor = 150n; // <= ~0.7%, a shallower pool
for (const p of [solPool, jupPool]) p.role = `${p.mintA.symbol}/${p.mintB.symbol}; activation by slot; fees in USDC; fee version ${p.state.fee_version}`;

origin = 'spl';

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
  if (a.kind === 'mint22') {
    const base = Buffer.alloc(ACCOUNT_SIZE); // the 82-byte mint, zero padding up to the account size
    MintLayout.encode({
      mintAuthorityOption: a.mintAuthority ? 1 : 0, mintAuthority: a.mintAuthority ?? PublicKey.default,
      supply: a.supply, decimals: a.decimals, isInitialized: true,
      freezeAuthorityOption: a.freezeAuthority ? 1 : 0, freezeAuthority: a.freezeAuthority ?? PublicKey.default,
    }, base);
    const buf = Buffer.concat([base, Buffer.from([AccountType.Mint]), tlvBytes(mint22Tlv(a))]);
    assert(buf.length === mint22Len(a), `${a.label}: ${buf.length} bytes != getMintLen`);
    assert(a.lamports === rentExempt(buf.length), `${a.label}: lamports are not the rent-exempt minimum`);
    return buf;
  }
  if (a.kind === 'token22') {
    assert(a.amount >= 0n && a.withheld >= 0n, `${a.label} negative amount`);
    assert(a.lamports === a.rent, `${a.label} lamports`);
    const base = Buffer.alloc(ACCOUNT_SIZE);
    AccountLayout.encode({
      mint: new PublicKey(a.mint.pubkey), owner: a.wallet.key, amount: a.amount, delegateOption: 0, delegate: PublicKey.default,
      state: a.state, isNativeOption: 0, isNative: 0n, delegatedAmount: 0n, closeAuthorityOption: 0, closeAuthority: PublicKey.default,
    }, base);
    if (a.extTypes.length === 0) return base;
    const entries = a.extTypes.map((t) => {
      switch (t) {
        case ExtensionType.ImmutableOwner: return [t, layoutBytes(ImmutableOwnerLayout, {})];
        case ExtensionType.TransferFeeAmount: return [t, layoutBytes(TransferFeeAmountLayout, { withheldAmount: a.withheld })];
        case ExtensionType.TransferHookAccount: return [t, layoutBytes(TransferHookAccountLayout, { transferring: false })];
        case ExtensionType.PausableAccount: return [t, layoutBytes(PausableAccountLayout, {})];
        default: throw new Error(`no encoder for account extension ${ExtensionType[t]}`);
      }
    });
    const buf = Buffer.concat([base, Buffer.from([AccountType.Account]), tlvBytes(entries)]);
    assert(buf.length === getAccountLen(a.extTypes), `${a.label}: ${buf.length} bytes != getAccountLen`);
    return buf;
  }
  if (a.kind === 'anchor') {
    assert(a.lamports === rentExempt(ammCoder.size(a.name)), `${a.label} lamports`);
    return encodeAnchor(a.name, a.state);
  }
  return Buffer.alloc(0); // system account, or a closed account
}

/** Decode what was just encoded with the libraries' readers and compare with the model. */
function selfCheck(a, data) {
  const info = { data, owner: new PublicKey(a.owner), lamports: Number(a.lamports), executable: false };
  if (a.kind === 'mint22') {
    const m = unpackMint(new PublicKey(a.pubkey), info, TOKEN_2022_PROGRAM_ID);
    assert(m.supply === a.supply && m.decimals === a.decimals, `${a.label}: unpackMint`);
    assert(JSON.stringify(getExtensionTypes(m.tlvData)) === JSON.stringify(a.extOrder), `${a.label}: getExtensionTypes`);
  } else if (a.kind === 'token22') {
    const t = unpackAccount(new PublicKey(a.pubkey), info, TOKEN_2022_PROGRAM_ID);
    assert(t.amount === a.amount && t.mint.toBase58() === a.mint.pubkey, `${a.label}: unpackAccount`);
    assert(JSON.stringify(getExtensionTypes(t.tlvData)) === JSON.stringify(a.extTypes), `${a.label}: getExtensionTypes`);
  } else if (a.kind === 'anchor') {
    const d = ammCoder.decode(a.name, data);
    if (a.name === 'Pool') assert(big(d.sqrt_price) === big(a.state.sqrt_price) && big(d.liquidity) === big(a.state.liquidity), `${a.label}: decode`);
    if (a.name === 'Position') assert(big(d.unlocked_liquidity) === big(a.state.unlocked_liquidity), `${a.label}: decode`);
  }
}

// ---------------------------------------------------------------------------------------------
// Stream
// ---------------------------------------------------------------------------------------------

const out = []; // { text, pubkey, slot, writeVersion, kind: 'update' | 'duplicate' | 'stale', origin }
let slot = START_SLOT;
let writeVersion = START_WRITE_VERSION;
let slotStart = 0; // index in `out` of the first line of the current slot

function emit(a, sig) {
  assert(a.exists, `${a.label} emitted while not existing`);
  assert(a.lamports >= 0n, `${a.label} negative lamports`);
  writeVersion += 1;
  const bytes = encodeData(a);
  selfCheck(a, bytes);
  const data = bytes.toString('base64');
  const text = `{"pubkey":"${a.pubkey}","owner":"${a.owner}","lamports":${a.lamports},"data":"${data}",` +
    `"executable":false,"rent_epoch":${U64_MAX},"slot":${slot},"write_version":${writeVersion}` +
    (sig ? `,"txn_signature":"${sig}"` : '') + '}';
  const line = { text, pubkey: a.pubkey, slot, writeVersion, kind: 'update', lamports: a.lamports, owner: a.owner, data, origin };
  out.push(line);
  a.versions.push(line);
}

/** One transaction: the fee payer pays FEE; all its account updates share slot and signature. */
function transaction(payer, touched, rng = R1) {
  writeVersion += rng.randInt(40, 2500); // other accounts the validator wrote in between
  payer.lamports -= FEE;
  const sig = rng.signature();
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
const niceAmount = (max, gran, loPpm = 20_000, hiPpm = 450_000, rng = R1) => {
  const ppm = BigInt(rng.randInt(loPpm, hiPpm));
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
const tell = (s) => story.push(`slot ${slot}: ${s}`);
const SCRIPT = {
  6: () => {
    const amount = niceAmount(wallets[0].lamports, SOL_GRAN, 100_000, 300_000);
    solTransfer(wallets[0], wallets[3], amount);
    tell(`w0 sends ${fmt(amount, 9)} SOL to w3 (system transfer)`);
  },
  14: () => { mintTo(authorityWallets['USDC mint authority'], mints.USDC, tokens['w1 USDC'], u('USDC', 2_500_000)); tell('USDC mint authority mints 2,500,000 USDC to w1'); },
  21: () => {
    const t = tokens['w0 USDC'];
    const allowance = niceAmount(t.amount, u('USDC', 1), 300_000, 500_000) || u('USDC', 1);
    t.delegate = wallets[4].key;
    t.delegatedAmount = allowance;
    transaction(wallets[0], [t]);
    tell(`w0 approves w4 as delegate of its USDC account for ${fmt(allowance, 6)} USDC`);
  },
  29: () => {
    const t = tokens['w5 wSOL'];
    const amount = niceAmount(wallets[5].lamports, SOL_GRAN, 200_000, 400_000);
    assert(amount > 0n && wallets[5].lamports >= amount + FEE, 'w5 cannot wrap');
    wallets[5].lamports -= amount;
    t.lamports += amount;
    t.amount += amount; // SystemProgram.transfer + SyncNative
    transaction(wallets[5], [t]);
    tell(`w5 wraps ${fmt(amount, 9)} SOL into its wSOL account (system transfer + SyncNative)`);
  },
  36: () => {
    const t = tokens['w6 USDT'];
    t.state = AccountState.Frozen;
    transaction(authorityWallets['USDT mint+freeze authority'], [t]);
    tell('USDT freeze authority freezes w6\'s USDT account (it never moves again)');
  },
  43: () => {
    const t = tokens['w7 BONK'];
    t.exists = true;
    wallets[7].lamports -= TOKEN_ACCOUNT_RENT;
    transaction(wallets[7], [t]);
    tell('w7 creates its BONK associated token account (pays 0.00203928 SOL rent)');
  },
  44: () => {
    const src = tokens['w1 BONK'];
    const amount = niceAmount(spendable(src), src.mint.gran, 100_000, 300_000);
    transfer(src, tokens['w7 BONK'], amount);
    tell(`w1 sends ${fmt(amount, 5)} BONK to w7's new account`);
  },
  50: () => {
    const src = tokens['w0 USDC'];
    const amount = (src.delegatedAmount * 2n / 5n / u('USDC', 1)) * u('USDC', 1) || src.delegatedAmount;
    assert(amount <= src.delegatedAmount && amount <= src.amount, 'delegated transfer too large');
    src.delegatedAmount -= amount;
    transfer(src, tokens['w8 USDC'], amount, wallets[4]);
    tell(`w4, as delegate, moves ${fmt(amount, 6)} USDC from w0 to w8 (w4 pays the fee; allowance drops)`);
  },
  57: () => {
    const src = tokens['w3 JUP'];
    const amount = src.amount;
    transfer(src, tokens['w5 JUP'], amount);
    src.closing = true;
    tell(`w3 sends its whole JUP balance (${fmt(amount, 6)} JUP) to w5`);
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
    tell('w3 closes its empty JUP account; w3 gets the 2,039,280 lamports rent back (minus the 5,000 fee)');
  },
  70: () => {
    const src = tokens['w2 BONK'];
    const amount = niceAmount(spendable(src), src.mint.gran, 100_000, 250_000);
    burn(src, amount);
    tell(`w2 burns ${fmt(amount, 5)} BONK (BONK supply drops)`);
  },
  78: () => { mintTo(authorityWallets['JUP mint authority'], mints.JUP, tokens['w8 JUP'], u('JUP', 50_000)); tell('JUP mint authority mints 50,000 JUP to w8'); },
  86: () => {
    const amount = niceAmount(wallets[9].lamports, SOL_GRAN, 50_000, 200_000);
    solTransfer(wallets[9], wallets[6], amount);
    tell(`w9 sends ${fmt(amount, 9)} SOL to w6 (system transfer)`);
  },
  95: () => { mintTo(authorityWallets['USDT mint+freeze authority'], mints.USDT, tokens['w9 USDT'], u('USDT', 1_000_000)); tell('USDT mint authority mints 1,000,000 USDT to w9'); },
  104: () => {
    const src = tokens['w1 USDC'];
    let amount = u('USDC', 750_000);
    if (amount > spendable(src)) amount = niceAmount(spendable(src), src.mint.gran, 400_000, 500_000);
    burn(src, amount);
    tell(`w1 burns ${fmt(amount, 6)} USDC (USDC supply drops)`);
  },
  112: () => {
    const src = tokens['w8 BONK'];
    const amount = niceAmount(spendable(src), src.mint.gran, 100_000, 250_000);
    burn(src, amount);
    tell(`w8 burns ${fmt(amount, 5)} BONK (BONK supply drops)`);
  },
  120: () => {
    const src = tokens['w2 wSOL'];
    const amount = niceAmount(src.amount, src.mint.gran, 200_000, 400_000);
    transfer(src, tokens['w5 wSOL'], amount);
    tell(`w2 sends ${fmt(amount, 9)} wSOL to w5 (native transfer: lamports move with the amount)`);
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

// --- Token-2022 and DAMM v2 events (R2) -------------------------------------------------------------
const ext = (fn) => (...args) => { // runs an event of the Token-2022 / DAMM v2 part
  const saved = origin;
  origin = 'ext';
  try { return fn(...args); } finally { origin = saved; }
};
const txExt = (payer, touched) => transaction(payer, touched, R2);
const transferFeeOf = (mint, amount) => (mint.ext.transferFee ? calculateEpochFee(mint.ext.transferFee, epochOf(slot), amount) : 0n);
const canMove = (t) => t.exists && t.state === AccountState.Initialized && !(t.mint.ext.pausable?.paused);

/** Token-2022 TransferChecked: the recipient is credited amount - fee, the fee is withheld on the recipient. */
function transfer22(src, dst, amount) {
  assert(src.mint === dst.mint && canMove(src) && canMove(dst), 'transfer22 accounts');
  assert(amount > 0n && amount <= src.amount, `${src.label} overdrawn`);
  const fee = transferFeeOf(src.mint, amount);
  src.amount -= amount;
  dst.amount += amount - fee;
  dst.withheld += fee;
  txExt(src.wallet, [src, dst]);
  return fee;
}
function randomTransfer22(mint, gran) {
  const holders = Object.values(t22).filter((t) => t.mint === mint && canMove(t));
  const sources = holders.filter((t) => t.amount >= gran * 100n);
  if (sources.length === 0) return;
  const src = R2.pick(sources);
  const dsts = holders.filter((t) => t.wallet !== src.wallet);
  if (dsts.length === 0) return;
  const dst = R2.pick(dsts);
  const amount = niceAmount(src.amount, gran, 20_000, 350_000, R2);
  if (amount > 0n) transfer22(src, dst, amount);
}

const poolState = (p) => camelize(ammCoder.decode('Pool', encodeAnchor('Pool', p.state)));
const poolPrice = (p) => getPriceFromSqrtPrice(p.state.sqrt_price, p.mintA.decimals, p.mintB.decimals);

/** swap (exact in) on a DAMM v2 pool, priced by the SDK's swap math; fees split and accounted as the program does */
function swap(p, wallet, aToB, amountIn) {
  const s = p.state;
  const src = aToB ? tokens[`${wallet.label} ${p.mintA.symbol}`] : tokens[`${wallet.label} ${p.mintB.symbol}`];
  const dst = aToB ? tokens[`${wallet.label} ${p.mintB.symbol}`] : tokens[`${wallet.label} ${p.mintA.symbol}`];
  const vaultIn = aToB ? p.vaultA : p.vaultB;
  const vaultOut = aToB ? p.vaultB : p.vaultA;
  const direction = aToB ? TradeDirection.AtoB : TradeDirection.BtoA;
  const feeMode = getFeeMode(s.collect_fee_mode, direction, false);
  const r = getSwapResultFromExactInput(poolState(p), bn(amountIn), feeMode, direction, new BN(slot));
  const amountOut = big(r.outputAmount);
  const lpFee = big(r.claimingFee);
  const protocolFee = big(r.protocolFee);
  assert(big(r.referralFee) === 0n && big(r.compoundingFee) === 0n && big(r.amountLeft) === 0n, 'swap result');
  assert(big(r.includedFeeInputAmount) === amountIn && amountOut > 0n, 'swap amounts');
  const curveOut = feeMode.feesOnInput ? amountOut : amountOut + lpFee + protocolFee; // what leaves the liquidity
  const next = big(r.nextSqrtPrice);
  assert(aToB ? next < big(s.sqrt_price) : next > big(s.sqrt_price), 'price moves against the input token');
  // pool state, as Pool::apply_swap_result and the layout-v1 reserve tracking do it
  if (aToB) {
    s.token_a_amount = bn(big(s.token_a_amount) + big(r.excludedFeeInputAmount));
    s.token_b_amount = bn(big(s.token_b_amount) - curveOut);
  } else {
    s.token_b_amount = bn(big(s.token_b_amount) + big(r.excludedFeeInputAmount));
    s.token_a_amount = bn(big(s.token_a_amount) - curveOut);
  }
  s.sqrt_price = bn(next);
  const perLiquidity = (lpFee << 128n) / big(s.liquidity);
  const side = feeMode.feesOnTokenA ? 'a' : 'b';
  s[`fee_${side}_per_liquidity`] = u256ToBytes(bytesToU256(s[`fee_${side}_per_liquidity`]) + perLiquidity);
  s[`protocol_${side}_fee`] = bn(big(s[`protocol_${side}_fee`]) + protocolFee);
  s.metrics[`total_lp_${side}_fee`] = bn(big(s.metrics[`total_lp_${side}_fee`]) + lpFee);
  s.metrics[`total_protocol_${side}_fee`] = bn(big(s.metrics[`total_protocol_${side}_fee`]) + protocolFee);
  // token movements: trader -> vault (input), vault -> trader (output)
  moveTokens(src, vaultIn, amountIn);
  moveTokens(vaultOut, dst, amountOut);
  txExt(wallet, [src, dst, p, p.vaultA, p.vaultB]);
  return { out: amountOut, fee: lpFee + protocolFee };
}

const SWAPPERS = { [solPool.pubkey]: [wallets[2], wallets[5]], [jupPool.pubkey]: [wallets[0], wallets[1], wallets[5]] };
function randomSwap(p) {
  if (!p.exists) return;
  const w = R2.pick(SWAPPERS[p.pubkey]);
  let aToB = R2.rand() < 0.5;
  for (let attempt = 0; attempt < 2; attempt++, aToB = !aToB) {
    const src = tokens[`${w.label} ${aToB ? p.mintA.symbol : p.mintB.symbol}`];
    const dst = tokens[`${w.label} ${aToB ? p.mintB.symbol : p.mintA.symbol}`];
    const cap = big(aToB ? p.state.token_a_amount : p.state.token_b_amount) / p.maxSwapDivisor; // a small share of the reserve
    const gran = src.mint.gran;
    let amount = niceAmount(spendable(src), gran, 30_000, 300_000, R2);
    if (amount > cap) amount = (cap / gran) * gran;
    if (amount < gran * 10n || !usable(src) || !usable(dst)) continue;
    const before = poolPrice(p);
    const { out } = swap(p, w, aToB, amount);
    const sa = p.mintA.symbol, sb = p.mintB.symbol;
    p.swaps = (p.swaps ?? 0) + 1;
    p.lastSwap = `${w.label} ${aToB ? `sells ${fmt(amount, p.mintA.decimals)} ${sa} for ${fmt(out, p.mintB.decimals)} ${sb}` : `buys ${fmt(out, p.mintA.decimals)} ${sa} for ${fmt(amount, p.mintB.decimals)} ${sb}`} (${before.toFixed(4)} -> ${poolPrice(p).toFixed(4)})`;
    return;
  }
}

/** claim_position_fee: the position's share of fee_b_per_liquidity since its checkpoint, from vault B to the owner */
function claimPositionFee(p, ownerToken) {
  const pos = p.position.state;
  const liquidity = big(pos.unlocked_liquidity) + big(pos.vested_liquidity) + big(pos.permanent_locked_liquidity);
  const delta = bytesToU256(p.state.fee_b_per_liquidity) - bytesToU256(pos.fee_b_per_token_checkpoint);
  const claim = big(pos.fee_b_pending) + ((delta * liquidity) >> 128n);
  pos.fee_b_per_token_checkpoint = [...p.state.fee_b_per_liquidity];
  pos.fee_a_per_token_checkpoint = [...p.state.fee_a_per_liquidity];
  pos.fee_b_pending = new BN(0);
  pos.metrics.total_claimed_b_fee = bn(big(pos.metrics.total_claimed_b_fee) + claim);
  assert(claim > 0n, 'nothing to claim');
  moveTokens(p.vaultB, ownerToken, claim);
  txExt(ownerToken.wallet, [p.position, p.vaultB, ownerToken]);
  return claim;
}

/** initialize_pool: pool, position, position NFT (mint + account) and vaults; the creator deposits both tokens */
function createPool(p, srcA, srcB) {
  const s = p.state;
  const sqrtPrice = s.sqrt_price;
  const liqA = getLiquidityDeltaFromAmountAForConcentratedLiquidity(bn(niceAmount(srcA.amount, srcA.mint.gran, 350_000, 450_000, R2)), sqrtPrice, MAX_SQRT_PRICE);
  const liqB = getLiquidityDeltaFromAmountBForConcentratedLiquidity(bn(niceAmount(spendable(srcB), srcB.mint.gran, 350_000, 450_000, R2)), MIN_SQRT_PRICE, sqrtPrice);
  const liquidity = BN.min(liqA, liqB);
  const info = getInitialConcentratedLiquidityPoolInformation(MIN_SQRT_PRICE, MAX_SQRT_PRICE, sqrtPrice, liquidity);
  const amountA = big(info.tokenAAmount);
  const amountB = big(info.tokenBAmount);
  assert(amountA <= srcA.amount && amountB <= spendable(srcB), 'pool creation deposit exceeds balances');
  Object.assign(s, { liquidity, token_a_amount: info.tokenAAmount, token_b_amount: info.tokenBAmount, activation_point: new BN(slot) });
  s.pool_fees.init_sqrt_price = sqrtPrice;
  p.position.state.unlocked_liquidity = liquidity;
  const creator = p.creator;
  for (const a of [p, p.position, p.vaultA, p.vaultB, p.nftMint, p.position.nftAccount]) {
    a.exists = true;
    creator.lamports -= a.lamports; // the creator pays every new account's rent
  }
  p.nftMint.supply = 1n;
  p.position.nftAccount.amount = 1n;
  moveTokens(srcA, p.vaultA, amountA);
  moveTokens(srcB, p.vaultB, amountB);
  txExt(creator, [p.nftMint, p.position.nftAccount, p, p.position, p.vaultA, p.vaultB, srcA, srcB]);
  return { amountA, amountB };
}

const EXT_SCRIPT = {
  2: () => {
    const amount = 250_000_000_000n;
    pyusd.supply += amount;
    t22['w1 PYUSD'].amount += amount;
    txExt(pyusdIssuer, [pyusd, t22['w1 PYUSD']]);
    tell('PYUSD issuer mints 250,000 PYUSD to w1 (Token-2022 mint-to; PYUSD supply rises)');
  },
  9: () => {
    const t = t22['w7 PYUSD'];
    t.exists = true;
    wallets[7].lamports -= t.lamports;
    txExt(wallets[7], [t]);
    tell(`w7 creates its PYUSD associated token account (Token-2022, ${getAccountLen(t.extTypes)} bytes: ImmutableOwner, TransferHookAccount, TransferFeeAmount; pays ${fmt(t.lamports, 9)} SOL rent)`);
  },
  10: () => {
    const amount = 12_500_000_000n;
    const fee = transfer22(t22['w1 PYUSD'], t22['w7 PYUSD'], amount);
    tell(`w1 sends 12,500 PYUSD to w7's new account: the 0.1% transfer fee hits its 25 PYUSD cap, w7 is credited ${fmt(amount - fee, 6)} and ${fmt(fee, 6)} is withheld on w7's account`);
  },
  17: () => {
    const t = t22['w6 YLD'];
    t.exists = true;
    wallets[6].lamports -= t.lamports;
    txExt(wallets[6], [t]);
    tell('w6 creates its YLD associated token account: it starts Frozen (the mint\'s DefaultAccountState)');
  },
  19: () => {
    t22['w6 YLD'].state = AccountState.Initialized;
    txExt(yldIssuer, [t22['w6 YLD']]);
    tell('YLD issuer thaws w6\'s YLD account');
  },
  20: () => {
    const amount = 10_000_000_000n;
    yld.supply += amount;
    t22['w6 YLD'].amount += amount;
    txExt(yldIssuer, [yld, t22['w6 YLD']]);
    tell('YLD issuer mints 10,000 YLD to w6');
  },
  33: () => {
    const i = yld.ext.interest;
    const now = unixTimestamp(slot);
    const pre = BigInt(i.lastUpdateTimestamp - i.initializationTimestamp);
    const post = BigInt(now - i.lastUpdateTimestamp);
    i.preUpdateAverageRate = Number((BigInt(i.preUpdateAverageRate) * pre + BigInt(i.currentRate) * post) / (pre + post));
    i.lastUpdateTimestamp = now;
    i.currentRate = 425;
    txExt(yldIssuer, [yld]);
    tell(`YLD rate authority lowers the interest rate from 500 to 425 bps (InterestBearingConfig: pre_update_average_rate ${i.preUpdateAverageRate}, last_update_timestamp ${now})`);
  },
  47: () => { yld.ext.pausable.paused = true; txExt(yldIssuer, [yld]); tell('YLD pause authority pauses YLD (PausableConfig.paused = true; no YLD moves while paused)'); },
  53: () => { yld.ext.pausable.paused = false; txExt(yldIssuer, [yld]); tell('YLD pause authority resumes YLD'); },
  60: () => {
    const claim = claimPositionFee(solPool, tokens['w1 USDC']);
    tell(`w1 claims ${fmt(claim, 6)} USDC of LP fees from its SOL/USDC position (position checkpoint, vault B and w1's USDC change)`);
  },
  82: () => {
    const { amountA, amountB } = createPool(jupPool, tokens['w8 JUP'], tokens['w8 USDC']);
    tell(`w8 creates the JUP/USDC DAMM v2 pool at ${poolPrice(jupPool).toFixed(4)} USDC per JUP, depositing ${fmt(amountA, 6)} JUP and ${fmt(amountB, 6)} USDC (pool, position, position NFT mint + account and both vaults are created)`);
  },
  97: () => {
    const withheld = Object.values(t22).filter((t) => t.mint === pyusd && t.exists && t.withheld > 0n);
    const total = withheld.reduce((s, t) => s + t.withheld, 0n);
    for (const t of withheld) t.withheld = 0n;
    pyusd.ext.transferFee.withheldAmount += total;
    txExt(wallets[9], [pyusd, ...withheld]);
    tell(`w9 harvests ${fmt(total, 6)} PYUSD of withheld fees from ${withheld.length} accounts to the PYUSD mint (HarvestWithheldTokensToMint; supply unchanged)`);
  },
  128: () => {
    const claim = claimPositionFee(jupPool, tokens['w8 USDC']);
    tell(`w8 claims ${fmt(claim, 6)} USDC of LP fees from its JUP/USDC position`);
  },
};
for (const k of Object.keys(EXT_SCRIPT)) EXT_SCRIPT[k] = ext(EXT_SCRIPT[k]);
let EXT_SCRIPT_DONE_THIS_SLOT = false;
const extRandom = ext(() => {
  if (EXT_SCRIPT_DONE_THIS_SLOT) return;
  if (R2.rand() < 0.2) randomTransfer22(pyusd, PYUSD_GRAN);
  if (R2.rand() < 0.15) randomSwap(solPool);
  if (R2.rand() < 0.2) randomSwap(jupPool);
  if (R2.rand() < 0.06) randomTransfer22(yld, YLD_GRAN);
});
const EXT_DUPLICATE_SLOTS = new Set([20, 82]); // slots with a scripted Token-2022 / DAMM v2 event
const EXT_STALE_SLOTS = { 75: () => solPool, 118: () => t22['w1 PYUSD'] };

// --- 1. snapshot: every existing account once, a few per slot, no signature --------------------
// The SPL accounts keep their R1 chunking; the new accounts are spread over the same snapshot slots.
const snapshot = [...accounts.values()].filter((a) => a.exists && a.origin === 'spl');
const snapshotExt = [...accounts.values()].filter((a) => a.exists && a.origin === 'ext');
for (let i = 0; i < snapshot.length;) {
  const n = randInt(3, 6);
  for (const a of snapshot.slice(i, i + n)) {
    writeVersion += randInt(1, 400);
    emit(a, null);
  }
  i += n;
  origin = 'ext';
  const m = i >= snapshot.length ? snapshotExt.length : Math.min(snapshotExt.length, R2.randInt(1, 3));
  for (const a of snapshotExt.splice(0, m)) {
    writeVersion += R2.randInt(1, 400);
    emit(a, null);
  }
  origin = 'spl';
  nextSlot();
}
const snapshotLines = out.length;

// --- 2. transactions ----------------------------------------------------------------------------
for (let s = 0; s < EVENT_SLOTS; s++) {
  if (SCRIPT[s]) SCRIPT[s]();
  const r = rand();
  let randomCount = SCRIPT[s] ? (r < 0.5 ? 0 : 1) : r < 0.12 ? 0 : r < 0.82 ? 1 : 2;
  if (DUPLICATE_SLOTS.has(s) && !SCRIPT[s]) randomCount = Math.max(randomCount, 1); // something to duplicate
  for (let k = 0; k < randomCount; k++) randomTransfer();

  // the Token-2022 / DAMM v2 part of the slot
  EXT_SCRIPT_DONE_THIS_SLOT = false;
  if (EXT_SCRIPT[s]) {
    EXT_SCRIPT[s]();
    EXT_SCRIPT_DONE_THIS_SLOT = true;
  }
  extRandom();

  if (DUPLICATE_SLOTS.has(s)) {
    // a line of the SPL part that is still its account's newest, so the copy is a pure duplicate
    const inSlot = out.slice(slotStart).filter((l) => l.kind === 'update' && l.origin === 'spl' && l === accounts.get(l.pubkey).versions.at(-1));
    assert(inSlot.length > 0, `no line to duplicate in slot ${slot}`);
    out.push({ ...pick(inSlot), kind: 'duplicate' }); // at-least-once delivery: the same line again
  }
  if (STALE_SLOTS[s]) {
    let a;
    if (STALE_SLOTS[s] === 'random') {
      const candidates = [...accounts.values()].filter((x) => x.origin === 'spl' && x.versions.length >= 2 && x.versions.at(-2).slot < slot - 5);
      a = pick(candidates);
    } else {
      a = tokens[STALE_SLOTS[s]];
    }
    const old = a.versions.at(-2); // an older version of an account that has been updated since
    assert(old.writeVersion < a.versions.at(-1).writeVersion, 'stale re-send is not older');
    out.push({ ...old, kind: 'stale' });
  }
  if (EXT_DUPLICATE_SLOTS.has(s)) {
    const inSlot = out.slice(slotStart).filter((l) => l.kind === 'update' && l.origin === 'ext' && l === accounts.get(l.pubkey).versions.at(-1));
    assert(inSlot.length > 0, `no Token-2022 / DAMM v2 line to duplicate in slot ${slot}`);
    out.push({ ...R2.pick(inSlot), kind: 'duplicate' });
  }
  if (EXT_STALE_SLOTS[s]) {
    const a = EXT_STALE_SLOTS[s]();
    assert(a.versions.length >= 3, `${a.label}: too few versions for a stale re-send`);
    const old = a.versions.at(-3);
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
assert(out.length >= LINES_MIN && out.length <= LINES_MAX, `line count ${out.length} outside ${LINES_MIN}..${LINES_MAX}`);

/** what a correct decoder reports for an account in this state */
function accountType(a) {
  switch (a.kind) {
    case 'mint': return ['mint', 'spl-token'];
    case 'token': return ['token_account', 'spl-token'];
    case 'mint22': return ['mint', 'spl-token-2022'];
    case 'token22': return ['token_account', 'spl-token-2022'];
    case 'anchor': return [a.name, 'cp_amm'];
    default: return ['system_account', 'system']; // wallets and the closed account
  }
}

const newest = new Map();
for (const l of out) {
  const cur = newest.get(l.pubkey);
  if (!cur || l.slot > cur.slot || (l.slot === cur.slot && l.writeVersion > cur.writeVersion)) newest.set(l.pubkey, l);
}
// Account types are snake_case in the protocol, Anchor's IDL names included (Pool -> pool).
const snakeCase = (name) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
const expected = {};
for (const pk of [...newest.keys()].sort()) {
  const l = newest.get(pk);
  const a = accounts.get(pk);
  assert(l === a.versions.at(-1), `${a.label}: newest line is not the generator's final state`);
  assert(l.lamports === a.lamports && l.owner === a.owner, `${a.label}: final state mismatch`);
  assert(Number.isSafeInteger(Number(l.lamports)), 'lamports beyond 2^53');
  const [type, program] = accountType(a);
  expected[pk] = { slot: l.slot, write_version: l.writeVersion, lamports: Number(l.lamports), owner: l.owner, data: l.data,
    account_type: snakeCase(type), program };
  if (type === 'Pool') expected[pk].sqrt_price = big(a.state.sqrt_price).toString();
}
for (const a of accounts.values()) assert(a.versions.length > 0, `${a.label} never streamed`);

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
const extNames = (types) => types.map((t) => ExtensionType[t]).join(', ');
log('| account | pubkey | type | role |');
log('| --- | --- | --- | --- |');
for (const a of accounts.values()) {
  let role = a.role ?? '';
  if (a.kind === 'mint') {
    role = `decimals ${a.decimals}, mint authority ${a.mintAuthority ? 'set' : 'none'}, freeze authority ${a.freezeAuthority ? 'set' : 'none'}`;
  } else if (a.kind === 'mint22' && a.symbol !== 'MPN') {
    role = `decimals ${a.decimals}; ${extNames(a.extOrder)}; ${encodeData(a).length} bytes`;
  } else if (a.kind === 'anchor' && a.name === 'Pool') {
    role = `${a.role}; sqrt_price ${big(a.state.sqrt_price)} = ${poolPrice(a).toFixed(4)} USDC per ${a.mintA.symbol} at the end; ${a.swaps ?? 0} swaps`;
  }
  const [type, program] = accountType(a);
  log(`| ${a.label} | \`${a.pubkey}\` | ${program} ${type} | ${role} |`);
}
log();
for (const s of story) log(`- ${s}`);
log();
for (const l of out.filter((x) => x.kind !== 'update')) {
  log(`- ${l.kind} in slot ${out[out.indexOf(l) - 1].slot}: ${accounts.get(l.pubkey).label} (line of slot ${l.slot})`);
}
log();
for (const p of [solPool, jupPool]) log(`${p.label}: ${p.swaps ?? 0} swaps, last: ${p.lastSwap}`);
