// Builds random SPL Token mints, token accounts and multisigs with the official @solana/spl-token
// layouts and prints one JSON line per vector:
//   {"kind":"mint"|"account"|"multisig","data_base64":"...","expected":{...}}
// "expected" is what spl-token's own unpackMint / unpackAccount / unpackMultisig read back from the
// bytes, renamed to the C# decoder's field names and string forms (u64 as decimal strings, keys as
// base58). The C# tests decode the same bytes and compare every field, so the two implementations
// check each other.
//
// usage: node spl-vectors.mjs <seed> <count> [mint|account|multisig]
// Without a kind it prints <count> vectors of each kind. The same seed always gives the same vectors.

import {
    ACCOUNT_SIZE,
    AccountLayout,
    AccountState,
    MINT_SIZE,
    MULTISIG_SIZE,
    MintLayout,
    MultisigLayout,
    TOKEN_PROGRAM_ID,
    unpackAccount,
    unpackMint,
    unpackMultisig,
} from '@solana/spl-token';
import { PublicKey } from '@solana/web3.js';

import { parseVectorArgs, seededRandom, U64_MAX } from './vector-support.mjs';

const USAGE = 'usage: node spl-vectors.mjs <seed> <count> [mint|account|multisig]';
const KINDS = ['mint', 'account', 'multisig'];

const { seed, count, kinds: selectedKinds } = parseVectorArgs(USAGE, KINDS);
const { random, randomInt, chance, pick, randomBytes, randomKey, randomU64 } = seededRandom(seed);


const address = new PublicKey(new Uint8Array(32).fill(7));
const asAccountInfo = (data) => ({ data, owner: TOKEN_PROGRAM_ID, lamports: 0, executable: false, rentEpoch: 0 });
const base58OrNull = (key) => (key === null ? null : key.toBase58());

function encode(layout, size, raw) {
    const data = Buffer.alloc(size);
    const written = layout.encode(raw, data);
    if (written !== size) {
        throw new Error(`layout wrote ${written} bytes, expected ${size}`);
    }
    return data;
}

// Behind a "none" option tag the layout still stores a key or amount; it is random here on purpose,
// because a correct decoder ignores those bytes.
function mintVector() {
    const data = encode(MintLayout, MINT_SIZE, {
        mintAuthorityOption: chance(0.5) ? 1 : 0,
        mintAuthority: randomKey(),
        supply: randomU64(),
        decimals: chance(0.2) ? randomInt(256) : randomInt(19),
        isInitialized: chance(0.85),
        freezeAuthorityOption: chance(0.5) ? 1 : 0,
        freezeAuthority: randomKey(),
    });
    const mint = unpackMint(address, asAccountInfo(data));
    return {
        data,
        expected: {
            mint_authority: base58OrNull(mint.mintAuthority),
            supply: mint.supply.toString(),
            decimals: mint.decimals,
            is_initialized: mint.isInitialized,
            freeze_authority: base58OrNull(mint.freezeAuthority),
        },
    };
}

function accountVector() {
    const data = encode(AccountLayout, ACCOUNT_SIZE, {
        mint: randomKey(),
        owner: randomKey(),
        amount: randomU64(),
        delegateOption: chance(0.5) ? 1 : 0,
        delegate: randomKey(),
        state: pick([AccountState.Uninitialized, AccountState.Initialized, AccountState.Frozen]),
        isNativeOption: chance(0.4) ? 1 : 0,
        isNative: randomU64(),
        delegatedAmount: randomU64(),
        closeAuthorityOption: chance(0.5) ? 1 : 0,
        closeAuthority: randomKey(),
    });
    const account = unpackAccount(address, asAccountInfo(data));
    let accountState = 'uninitialized';
    if (account.isFrozen) {
        accountState = 'frozen';
    } else if (account.isInitialized) {
        accountState = 'initialized';
    }
    return {
        data,
        expected: {
            mint: account.mint.toBase58(),
            owner: account.owner.toBase58(),
            amount: account.amount.toString(),
            delegate: base58OrNull(account.delegate),
            state: accountState,
            is_native: account.rentExemptReserve === null ? null : account.rentExemptReserve.toString(),
            delegated_amount: account.delegatedAmount.toString(),
            close_authority: base58OrNull(account.closeAuthority),
        },
    };
}

function multisigVector() {
    const n = randomInt(12);
    const raw = { m: randomInt(n + 1), n, isInitialized: chance(0.9) };
    for (let i = 1; i <= 11; i++) {
        raw[`signer${i}`] = randomKey(); // slots past n hold garbage that must not show up as signers
    }
    const data = encode(MultisigLayout, MULTISIG_SIZE, raw);
    const multisig = unpackMultisig(address, asAccountInfo(data));
    const signers = [];
    for (let i = 1; i <= multisig.n; i++) {
        signers.push(multisig[`signer${i}`].toBase58());
    }
    return {
        data,
        expected: { m: multisig.m, n: multisig.n, is_initialized: multisig.isInitialized, signers },
    };
}

const builders = { mint: mintVector, account: accountVector, multisig: multisigVector };
const lines = [];
for (const kind of selectedKinds) {
    for (let i = 0; i < count; i++) {
        const { data, expected } = builders[kind]();
        lines.push(JSON.stringify({ kind, data_base64: data.toString('base64'), expected }));
    }
}
process.stdout.write(`${lines.join('\n')}\n`);
