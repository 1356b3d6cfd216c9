// Builds random Token-2022 mints and token accounts WITH extensions from @solana/spl-token's own pieces and prints
// one JSON line per vector:
//   {"kind":"mint"|"account","data_base64":"...","expected":{...}}
// The size comes from getMintLen / getAccountLen, the base state from MintLayout / AccountLayout, each fixed-size
// extension value from its spl-token layout (TransferFeeConfigLayout, MintCloseAuthorityLayout, ...), TokenMetadata
// from @solana/spl-token-metadata's pack and TokenGroup / TokenGroupMember from @solana/spl-token-group's pack,
// written as TLV entries (u16 type, u16 length, value) after the AccountType byte, as the program lays them out.
// Some vectors add entries of types the C# decoder does not decode, spare zero bytes at the end, or are sized to
// hit the 355-byte multisig length (which the program, and getMintLen, pad by two bytes).
//
// "expected" is what the libraries read back from the bytes: unpackMint / unpackAccount for the base fields, the
// extension getters (getTransferFeeConfig, getMetadataPointerState, ...; spl-token-metadata's unpack for
// TokenMetadata), renamed to the C# decoder's names and forms: u64 as decimal strings, keys as base58, i64
// timestamps as exact JSON numbers. OptionalNonZeroPubkey fields that the JS getter returns as the all-zero key are
// null, as the program reads them (the pointer and group getters already do this themselves).
//
// usage: node token2022-vectors.mjs <seed> <count> [mint|account]
// Without a kind it prints <count> vectors of each kind. The same seed always gives the same vectors.

import {
    ACCOUNT_SIZE,
    ACCOUNT_TYPE_SIZE,
    AccountLayout,
    AccountState,
    AccountType,
    CpiGuardLayout,
    DefaultAccountStateLayout,
    ExtensionType,
    GroupMemberPointerLayout,
    GroupPointerLayout,
    ImmutableOwnerLayout,
    InterestBearingMintConfigStateLayout,
    LENGTH_SIZE,
    MINT_SIZE,
    MULTISIG_SIZE,
    MemoTransferLayout,
    MetadataPointerLayout,
    MintCloseAuthorityLayout,
    MintLayout,
    NonTransferableLayout,
    PausableAccountLayout,
    PausableConfigLayout,
    PermanentDelegateLayout,
    ScaledUiAmountConfigLayout,
    TOKEN_2022_PROGRAM_ID,
    TYPE_SIZE,
    TransferFeeAmountLayout,
    TransferFeeConfigLayout,
    TransferHookAccountLayout,
    TransferHookLayout,
    getAccountLen,
    getCpiGuard,
    getDefaultAccountState,
    getExtensionData,
    getGroupMemberPointerState,
    getGroupPointerState,
    getImmutableOwner,
    getInterestBearingMintConfigState,
    getMemoTransfer,
    getMetadataPointerState,
    getMintCloseAuthority,
    getMintLen,
    getNonTransferable,
    getNonTransferableAccount,
    getPausableAccount,
    getPausableConfig,
    getPermanentDelegate,
    getScaledUiAmountConfig,
    getTokenGroupMemberState,
    getTokenGroupState,
    getTransferFeeAmount,
    getTransferFeeConfig,
    getTransferHook,
    getTransferHookAccount,
    unpackAccount,
    unpackMint,
} from '@solana/spl-token';
import { packTokenGroup, packTokenGroupMember } from '@solana/spl-token-group';
import { pack as packTokenMetadata, unpack as unpackTokenMetadata } from '@solana/spl-token-metadata';
import { PublicKey } from '@solana/web3.js';

import { parseVectorArgs, seededRandom, U64_MAX } from './vector-support.mjs';

const USAGE = 'usage: node token2022-vectors.mjs <seed> <count> [mint|account]';
const KINDS = ['mint', 'account'];

const { seed, count, kinds: selectedKinds } = parseVectorArgs(USAGE, KINDS);
const { random, randomInt, chance, pick, randomBytes, randomKey, randomU64 } = seededRandom(seed);

function shuffle(items) {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
        const j = randomInt(i + 1);
        [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
}


// For OptionalNonZeroPubkey fields: often the all-zero key, which means "none".
const optionalKey = () => (chance(0.3) ? PublicKey.default : randomKey());

// InterestBearingMintConfigStateLayout reads timestamps with ns64, a JavaScript number, so they stay within
// +-2^53 here where that is exact; the C# tests cover the full i64 range by hand.
const SAFE = Number.MAX_SAFE_INTEGER;
function randomNumberTimestamp() {
    return pick([0, 1, -1, SAFE, -SAFE, 1_700_000_000 + randomInt(100_000_000), -randomInt(SAFE), randomInt(SAFE)]);
}

// ScaledUiAmountConfigLayout reads its timestamp as a u64 while the program's field is an i64, so only values
// below 2^63 mean the same to both.
function randomNonNegativeI64() {
    return pick([0n, 1n, 2n ** 53n + 1n, 2n ** 63n - 1n, BigInt(1_700_000_000 + randomInt(100_000_000)), randomBytes(8).readBigUInt64LE(0) >> 1n]);
}

function randomMultiplier() {
    return pick([1, 0.5, 2, 1e-9, 1e300, 1.7976931348623157e308, 5e-324, 0.1 + 0.2, random() * 10 ** (randomInt(40) - 20)]);
}

// No NUL characters: @solana/codecs-strings' UTF-8 decoder deletes them while borsh (and the C# decoder) keeps them.
const STRING_PIECES = ['a', 'Z', '0', ' ', 'é', 'ß', '漢', '字', '🚀', '"', '\\', '\n', '\t', '<', '&', "'", '/', 'token', 'https://x.y/'];
function randomString(maxPieces) {
    return Array.from({ length: randomInt(maxPieces + 1) }, () => pick(STRING_PIECES)).join('');
}

// Markers for numbers JSON.stringify cannot print exactly (i64 beyond 2^53); replaced by the bare digits at the end.
const i64 = (value) => `@@i64:${BigInt(value)}@@`;
const base58OrNull = (key) => (key === null || key === undefined ? null : key.toBase58());
const nonZeroOrNull = (key) => (key.equals(PublicKey.default) ? null : key.toBase58());
const STATE_NAMES = ['uninitialized', 'initialized', 'frozen'];

function encode(layout, raw) {
    const data = Buffer.alloc(layout.span);
    const written = layout.encode(raw, data);
    if (written !== layout.span) {
        throw new Error(`layout wrote ${written} bytes, expected ${layout.span}`);
    }
    return data;
}

const transferFee = () => ({ epoch: randomU64(), maximumFee: randomU64(), transferFeeBasisPoints: pick([0, 1, 10_000, 65_535, randomInt(65_536)]) });
const feeJson = (fee) => ({
    epoch: fee.epoch.toString(),
    maximum_fee: fee.maximumFee.toString(),
    transfer_fee_basis_points: fee.transferFeeBasisPoints,
});

// Each extension: how to build its value, and how to read it back with the library into our JSON shape.
const MINT_EXTENSIONS = {
    [ExtensionType.TransferFeeConfig]: {
        name: 'transfer_fee_config',
        value: () =>
            encode(TransferFeeConfigLayout, {
                transferFeeConfigAuthority: optionalKey(),
                withdrawWithheldAuthority: optionalKey(),
                withheldAmount: randomU64(),
                olderTransferFee: transferFee(),
                newerTransferFee: transferFee(),
            }),
        read: (mint) => {
            const config = getTransferFeeConfig(mint);
            return {
                transfer_fee_config_authority: nonZeroOrNull(config.transferFeeConfigAuthority),
                withdraw_withheld_authority: nonZeroOrNull(config.withdrawWithheldAuthority),
                withheld_amount: config.withheldAmount.toString(),
                older_transfer_fee: feeJson(config.olderTransferFee),
                newer_transfer_fee: feeJson(config.newerTransferFee),
            };
        },
    },
    [ExtensionType.MintCloseAuthority]: {
        name: 'mint_close_authority',
        value: () => encode(MintCloseAuthorityLayout, { closeAuthority: optionalKey() }),
        read: (mint) => ({ close_authority: nonZeroOrNull(getMintCloseAuthority(mint).closeAuthority) }),
    },
    [ExtensionType.DefaultAccountState]: {
        name: 'default_account_state',
        value: () => encode(DefaultAccountStateLayout, { state: pick([AccountState.Uninitialized, AccountState.Initialized, AccountState.Frozen]) }),
        read: (mint) => ({ state: STATE_NAMES[getDefaultAccountState(mint).state] }),
    },
    [ExtensionType.NonTransferable]: {
        name: 'non_transferable',
        value: () => encode(NonTransferableLayout, {}),
        read: (mint) => ({ ...getNonTransferable(mint) }),
    },
    [ExtensionType.InterestBearingConfig]: {
        name: 'interest_bearing_config',
        value: () =>
            encode(InterestBearingMintConfigStateLayout, {
                rateAuthority: optionalKey(),
                initializationTimestamp: randomNumberTimestamp(),
                preUpdateAverageRate: pick([0, 500, -500, 32_767, -32_768, randomInt(65_536) - 32_768]),
                lastUpdateTimestamp: randomNumberTimestamp(),
                currentRate: pick([0, 1, -1, 32_767, -32_768, randomInt(65_536) - 32_768]),
            }),
        read: (mint) => {
            const config = getInterestBearingMintConfigState(mint);
            return {
                rate_authority: nonZeroOrNull(config.rateAuthority),
                initialization_timestamp: i64(config.initializationTimestamp),
                pre_update_average_rate: config.preUpdateAverageRate,
                last_update_timestamp: i64(config.lastUpdateTimestamp),
                current_rate: config.currentRate,
            };
        },
    },
    [ExtensionType.PermanentDelegate]: {
        name: 'permanent_delegate',
        value: () => encode(PermanentDelegateLayout, { delegate: optionalKey() }),
        read: (mint) => ({ delegate: nonZeroOrNull(getPermanentDelegate(mint).delegate) }),
    },
    [ExtensionType.TransferHook]: {
        name: 'transfer_hook',
        value: () => encode(TransferHookLayout, { authority: optionalKey(), programId: optionalKey() }),
        read: (mint) => {
            const hook = getTransferHook(mint);
            return { authority: nonZeroOrNull(hook.authority), program_id: nonZeroOrNull(hook.programId) };
        },
    },
    [ExtensionType.MetadataPointer]: {
        name: 'metadata_pointer',
        value: () => encode(MetadataPointerLayout, { authority: optionalKey(), metadataAddress: optionalKey() }),
        read: (mint) => {
            const pointer = getMetadataPointerState(mint);
            return { authority: base58OrNull(pointer.authority), metadata_address: base58OrNull(pointer.metadataAddress) };
        },
    },
    [ExtensionType.TokenMetadata]: {
        name: 'token_metadata',
        value: () => Buffer.from(packTokenMetadata(randomMetadata())),
        read: (mint) => {
            const metadata = unpackTokenMetadata(getExtensionData(ExtensionType.TokenMetadata, mint.tlvData));
            return {
                update_authority: base58OrNull(metadata.updateAuthority),
                mint: metadata.mint.toBase58(),
                name: metadata.name,
                symbol: metadata.symbol,
                uri: metadata.uri,
                additional_metadata: metadata.additionalMetadata.map(([key, value]) => [key, value]),
            };
        },
    },
    [ExtensionType.GroupPointer]: {
        name: 'group_pointer',
        value: () => encode(GroupPointerLayout, { authority: optionalKey(), groupAddress: optionalKey() }),
        read: (mint) => {
            const pointer = getGroupPointerState(mint);
            return { authority: base58OrNull(pointer.authority), group_address: base58OrNull(pointer.groupAddress) };
        },
    },
    [ExtensionType.TokenGroup]: {
        name: 'token_group',
        value: () =>
            Buffer.from(
                packTokenGroup({
                    updateAuthority: chance(0.3) ? undefined : randomKey(),
                    mint: randomKey(),
                    size: randomU64(),
                    maxSize: randomU64(),
                }),
            ),
        read: (mint) => {
            const group = getTokenGroupState(mint);
            return {
                update_authority: base58OrNull(group.updateAuthority),
                mint: group.mint.toBase58(),
                size: group.size.toString(),
                max_size: group.maxSize.toString(),
            };
        },
    },
    [ExtensionType.GroupMemberPointer]: {
        name: 'group_member_pointer',
        value: () => encode(GroupMemberPointerLayout, { authority: optionalKey(), memberAddress: optionalKey() }),
        read: (mint) => {
            const pointer = getGroupMemberPointerState(mint);
            return { authority: base58OrNull(pointer.authority), member_address: base58OrNull(pointer.memberAddress) };
        },
    },
    [ExtensionType.TokenGroupMember]: {
        name: 'token_group_member',
        value: () => Buffer.from(packTokenGroupMember({ mint: randomKey(), group: randomKey(), memberNumber: randomU64() })),
        read: (mint) => {
            const member = getTokenGroupMemberState(mint);
            return { mint: member.mint.toBase58(), group: member.group.toBase58(), member_number: member.memberNumber.toString() };
        },
    },
    [ExtensionType.ScaledUiAmountConfig]: {
        name: 'scaled_ui_amount',
        value: () =>
            encode(ScaledUiAmountConfigLayout, {
                authority: optionalKey(),
                multiplier: randomMultiplier(),
                newMultiplierEffectiveTimestamp: randomNonNegativeI64(),
                newMultiplier: randomMultiplier(),
            }),
        read: (mint) => {
            const config = getScaledUiAmountConfig(mint);
            return {
                authority: nonZeroOrNull(config.authority),
                multiplier: config.multiplier,
                new_multiplier_effective_timestamp: i64(config.newMultiplierEffectiveTimestamp),
                new_multiplier: config.newMultiplier,
            };
        },
    },
    [ExtensionType.PausableConfig]: {
        name: 'pausable',
        value: () => encode(PausableConfigLayout, { authority: optionalKey(), paused: chance(0.5) }),
        read: (mint) => {
            const config = getPausableConfig(mint);
            return { authority: nonZeroOrNull(config.authority), paused: config.paused };
        },
    },
};

const ACCOUNT_EXTENSIONS = {
    [ExtensionType.TransferFeeAmount]: {
        name: 'transfer_fee_amount',
        value: () => encode(TransferFeeAmountLayout, { withheldAmount: randomU64() }),
        read: (account) => ({ withheld_amount: getTransferFeeAmount(account).withheldAmount.toString() }),
    },
    [ExtensionType.ImmutableOwner]: {
        name: 'immutable_owner',
        value: () => encode(ImmutableOwnerLayout, {}),
        read: (account) => ({ ...getImmutableOwner(account) }),
    },
    [ExtensionType.MemoTransfer]: {
        name: 'memo_transfer',
        value: () => encode(MemoTransferLayout, { requireIncomingTransferMemos: chance(0.5) }),
        read: (account) => ({ require_incoming_transfer_memos: getMemoTransfer(account).requireIncomingTransferMemos }),
    },
    [ExtensionType.CpiGuard]: {
        name: 'cpi_guard',
        value: () => encode(CpiGuardLayout, { lockCpi: chance(0.5) }),
        read: (account) => ({ lock_cpi: getCpiGuard(account).lockCpi }),
    },
    [ExtensionType.NonTransferableAccount]: {
        name: 'non_transferable_account',
        value: () => encode(NonTransferableLayout, {}),
        read: (account) => ({ ...getNonTransferableAccount(account) }),
    },
    [ExtensionType.TransferHookAccount]: {
        name: 'transfer_hook_account',
        value: () => encode(TransferHookAccountLayout, { transferring: chance(0.5) }),
        read: (account) => ({ transferring: getTransferHookAccount(account).transferring }),
    },
    [ExtensionType.PausableAccount]: {
        name: 'pausable_account',
        value: () => encode(PausableAccountLayout, {}),
        read: (account) => ({ ...getPausableAccount(account) }),
    },
};

// Types the C# decoder lists as unknown: confidential-transfer ones, PermissionedBurn (28, newer than this
// library) and ids nobody has assigned yet.
const UNDECODED_TYPES = [
    ExtensionType.ConfidentialTransferMint,
    ExtensionType.ConfidentialTransferAccount,
    16,
    17,
    24,
    28,
    29,
    1000,
    65_535,
];

function randomMetadata(stringBytes) {
    const metadata = {
        updateAuthority: chance(0.3) ? undefined : randomKey(),
        mint: randomKey(),
        name: randomString(8),
        symbol: randomString(4),
        uri: chance(0.2) ? `https://example.com/${'x'.repeat(randomInt(300))}` : randomString(12),
        additionalMetadata: Array.from({ length: pick([0, 0, 1, 2, 5]) }, () => [randomString(4), randomString(8)]),
    };
    if (stringBytes !== undefined) {
        // Exactly this many bytes of strings and no additional metadata: sizes a vector to a chosen total length.
        Object.assign(metadata, { name: 'n'.repeat(stringBytes), symbol: '', uri: '', additionalMetadata: [] });
    }
    return metadata;
}

// spl-token-metadata's fixed part: update authority, mint, three string lengths and the pair count.
const METADATA_FIXED_BYTES = 32 + 32 + 4 + 4 + 4 + 4;
const TLV_HEADER = TYPE_SIZE + LENGTH_SIZE;
const TLV_START = ACCOUNT_SIZE + ACCOUNT_TYPE_SIZE;

function buildVector(kind) {
    const isMint = kind === 'mint';
    const catalog = isMint ? MINT_EXTENSIONS : ACCOUNT_EXTENSIONS;
    const entries = []; // [type, value] in TLV order
    const plain = chance(0.08);
    if (!plain) {
        const types = shuffle(Object.keys(catalog).map(Number)).slice(0, 1 + randomInt(Object.keys(catalog).length));
        for (const type of types) {
            entries.push([type, catalog[type].value()]);
        }
        for (let extra = chance(0.25) ? 1 + randomInt(2) : 0; extra > 0; extra--) {
            entries.splice(randomInt(entries.length + 1), 0, [pick(UNDECODED_TYPES), randomBytes(pick([0, 1, 65, 295, randomInt(120)]))]);
        }
    }

    // Sometimes size the data to exactly 355 bytes of entries, which the program pads by two.
    if (!plain && chance(0.06)) {
        entries.length = 0;
        if (isMint) {
            const metadataLength = MULTISIG_SIZE - TLV_START - TLV_HEADER;
            entries.push([ExtensionType.TokenMetadata, Buffer.from(packTokenMetadata(randomMetadata(metadataLength - METADATA_FIXED_BYTES)))]);
        } else {
            entries.push([ExtensionType.ImmutableOwner, encode(ImmutableOwnerLayout, {})]);
            entries.push([pick(UNDECODED_TYPES), randomBytes(MULTISIG_SIZE - TLV_START - (2 * TLV_HEADER))]);
        }
    }

    const decoded = entries.filter(([type]) => catalog[type] !== undefined);
    const undecoded = entries.filter(([type]) => catalog[type] === undefined);
    const fixedTypes = decoded.map(([type]) => type).filter((type) => type !== ExtensionType.TokenMetadata);
    const metadataEntry = decoded.find(([type]) => type === ExtensionType.TokenMetadata);
    const variable = metadataEntry === undefined ? {} : { [ExtensionType.TokenMetadata]: metadataEntry[1].length };
    let length;
    if (isMint) {
        length = plain ? getMintLen([]) : getMintLen(fixedTypes, variable);
    } else {
        length = plain ? getAccountLen([]) : getAccountLen(fixedTypes);
    }
    // The library sizes only the types it knows; undecoded entries add their own bytes, with the same multisig rule.
    if (undecoded.length > 0) {
        length = Math.max(length, TLV_START) + undecoded.reduce((sum, [, value]) => sum + TLV_HEADER + value.length, 0);
        if (length === MULTISIG_SIZE) {
            length += TYPE_SIZE;
        }
    }
    // Spare zero bytes at the end (a realloc leaves them): the program reads them as the end of the entries.
    if (!plain && chance(0.08)) {
        length += 1 + randomInt(6);
        if (length === MULTISIG_SIZE) {
            length += 1;
        }
    }

    const data = Buffer.alloc(length);
    if (isMint) {
        MintLayout.encode(
            {
                mintAuthorityOption: chance(0.5) ? 1 : 0,
                mintAuthority: randomKey(),
                supply: randomU64(),
                decimals: chance(0.2) ? randomInt(256) : randomInt(19),
                isInitialized: chance(0.9),
                freezeAuthorityOption: chance(0.5) ? 1 : 0,
                freezeAuthority: randomKey(),
            },
            data,
        );
    } else {
        AccountLayout.encode(
            {
                mint: randomKey(),
                owner: randomKey(),
                amount: randomU64(),
                delegateOption: chance(0.5) ? 1 : 0,
                delegate: randomKey(),
                state: pick([AccountState.Uninitialized, AccountState.Initialized, AccountState.Frozen]),
                isNativeOption: chance(0.3) ? 1 : 0,
                isNative: randomU64(),
                delegatedAmount: randomU64(),
                closeAuthorityOption: chance(0.5) ? 1 : 0,
                closeAuthority: randomKey(),
            },
            data,
        );
    }
    if (!plain) {
        data[ACCOUNT_SIZE] = isMint ? AccountType.Mint : AccountType.Account;
        let offset = TLV_START;
        for (const [type, value] of entries) {
            data.writeUInt16LE(type, offset);
            data.writeUInt16LE(value.length, offset + TYPE_SIZE);
            value.copy(data, offset + TLV_HEADER);
            offset += TLV_HEADER + value.length;
        }
        if (offset > data.length) {
            throw new Error(`entries end at ${offset}, past the ${data.length} bytes the library sized`);
        }
    }

    const info = { data, owner: TOKEN_2022_PROGRAM_ID, lamports: 0, executable: false, rentEpoch: 0 };
    const address = new PublicKey(new Uint8Array(32).fill(7));
    const extensions = {};
    let expected;
    if (isMint) {
        const mint = unpackMint(address, info, TOKEN_2022_PROGRAM_ID);
        expected = {
            mint_authority: base58OrNull(mint.mintAuthority),
            supply: mint.supply.toString(),
            decimals: mint.decimals,
            is_initialized: mint.isInitialized,
            freeze_authority: base58OrNull(mint.freezeAuthority),
            extensions,
        };
        readExtensions(catalog, mint, extensions);
    } else {
        const account = unpackAccount(address, info, TOKEN_2022_PROGRAM_ID);
        let accountState = 'uninitialized';
        if (account.isFrozen) {
            accountState = 'frozen';
        } else if (account.isInitialized) {
            accountState = 'initialized';
        }
        expected = {
            mint: account.mint.toBase58(),
            owner: account.owner.toBase58(),
            amount: account.amount.toString(),
            delegate: base58OrNull(account.delegate),
            state: accountState,
            is_native: account.rentExemptReserve === null ? null : account.rentExemptReserve.toString(),
            delegated_amount: account.delegatedAmount.toString(),
            close_authority: base58OrNull(account.closeAuthority),
            extensions,
        };
        readExtensions(catalog, account, extensions);
    }
    if (undecoded.length > 0) {
        expected.unknown_extensions = undecoded.map(([type, value]) => ({ type_id: type, length: value.length }));
    }
    return { data, expected };
}

// Every extension the library finds in the TLV data, in TLV order, read with the library's own getter.
function readExtensions(catalog, state, extensions) {
    const found = Object.keys(catalog)
        .map(Number)
        .map((type) => [type, getExtensionData(type, state.tlvData)])
        .filter(([, value]) => value !== null)
        .sort(([, a], [, b]) => a.byteOffset - b.byteOffset);
    for (const [type] of found) {
        extensions[catalog[type].name] = catalog[type].read(state);
    }
}

const lines = [];
for (const kind of selectedKinds) {
    for (let i = 0; i < count; i++) {
        const { data, expected } = buildVector(kind);
        const line = JSON.stringify({ kind, data_base64: data.toString('base64'), expected });
        lines.push(line.replace(/"@@i64:(-?\d+)@@"/g, '$1'));
    }
}
process.stdout.write(`${lines.join('\n')}\n`);
