// Shared by the vector scripts: a seeded random source, random values for any Anchor 0.30+ IDL type in the form
// @coral-xyz/anchor's coder encodes, and the conversion of anchor's decoded values to the C# decoder's JSON
// conventions (64-bit and wider integers as decimal strings, pubkeys in base58, bytes in base64, tuple structs as
// arrays, enum unit variants as "Name" and data variants as {"Name": ...}, non-finite floats as strings).
//
// The conversion walks the IDL type next to the value, so it never guesses a type from the value's shape.

import anchor from '@coral-xyz/anchor';

export const { BN, BorshCoder } = anchor;
export const { PublicKey } = anchor.web3;

// mulberry32: tiny, seedable and identical on every platform, which Math.random is not.
export function seededRandom(seed) {
    let state = seed >>> 0;
    const random = () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const int = (limit) => Math.floor(random() * limit);
    const chance = (probability) => random() < probability;
    const pick = (items) => items[int(items.length)];
    const bytes = (length) => Buffer.from(Array.from({ length }, () => int(256)));
    // A BN of up to `bits` bits: often an edge value, otherwise of a random bit length so small and huge both occur.
    const unsigned = (bits) => {
        const max = new BN(1).shln(bits).subn(1);
        switch (int(8)) {
            case 0: return new BN(0);
            case 1: return max;
            case 2: return new BN(int(256));
            default: {
                const length = 1 + int(bits);
                return new BN(bytes(Math.ceil(length / 8)), 'le').maskn(length);
            }
        }
    };
    const signed = (bits) => {
        const half = new BN(1).shln(bits - 1);
        switch (int(8)) {
            case 0: return half.neg();
            case 1: return half.subn(1);
            case 2: return new BN(-1);
            default: return unsigned(bits - 1).mul(new BN(chance(0.5) ? -1 : 1));
        }
    };
    return { random, int, chance, pick, bytes, unsigned, signed };
}

const SMALL_INT_BITS = { u8: 8, i8: 8, u16: 16, i16: 16, u32: 32, i32: 32 };
const BIG_INT_BITS = { u64: 64, i64: 64, u128: 128, i128: 128, u256: 256, i256: 256 };
const TEXT_PIECES = ['a', 'Z', '0', ' ', '_', 'é', 'ß', '€', '中', '😀', '"', '\\', '\n', '<', '\u0001'];

function findType(types, name) {
    const def = types.find((t) => t.name === name);
    if (!def) throw new Error(`type ${name} is not in the IDL`);
    return def;
}

function definedName(type) {
    return typeof type.defined === 'string' ? type.defined : type.defined.name;
}

/** A random value of an IDL type, as anchor's coder wants it for encoding. */
export function randomValue(type, types, rng, depth = 0) {
    if (typeof type === 'string') {
        if (type in SMALL_INT_BITS) {
            const bits = SMALL_INT_BITS[type];
            const unsigned = type.startsWith('u');
            const edge = rng.int(6);
            if (edge === 0) return 0;
            if (edge === 1) return unsigned ? 2 ** bits - 1 : 2 ** (bits - 1) - 1;
            if (edge === 2 && !unsigned) return -(2 ** (bits - 1));
            const value = bits === 32 ? rng.int(65536) * 65536 + rng.int(65536) : rng.int(2 ** bits);
            return unsigned ? value : value - 2 ** (bits - 1);
        }
        if (type in BIG_INT_BITS) {
            return type.startsWith('u') ? rng.unsigned(BIG_INT_BITS[type]) : rng.signed(BIG_INT_BITS[type]);
        }
        switch (type) {
            case 'bool': return rng.chance(0.5);
            case 'f32': return Math.fround(rng.chance(0.3) ? rng.pick([0, -0.5, 1.5, 3.4e38, 1e-30, 0.1]) : (rng.random() - 0.5) * 10 ** rng.int(12));
            case 'f64': return rng.chance(0.3) ? rng.pick([0, -0.5, 1e300, 5e-324, 0.1, 1e21]) : (rng.random() - 0.5) * 10 ** (rng.int(40) - 20);
            case 'bytes': return rng.bytes(rng.int(40));
            case 'string': return Array.from({ length: rng.int(12) }, () => rng.pick(TEXT_PIECES)).join('');
            case 'pubkey': return new PublicKey(rng.bytes(32));
            default: throw new Error(`no random value for type ${type}`);
        }
    }
    if ('option' in type) return rng.chance(0.4) ? null : randomValue(type.option, types, rng, depth + 1);
    if ('vec' in type) return Array.from({ length: rng.int(depth > 2 ? 2 : 5) }, () => randomValue(type.vec, types, rng, depth + 1));
    if ('array' in type) return Array.from({ length: type.array[1] }, () => randomValue(type.array[0], types, rng, depth + 1));
    if ('defined' in type) return randomDefined(findType(types, definedName(type)), types, rng, depth + 1);
    throw new Error(`no random value for type ${JSON.stringify(type)}`);
}

function randomFields(fields, types, rng, depth) {
    const value = {};
    (fields ?? []).forEach((field, i) => {
        if (field.name !== undefined && field.type !== undefined) value[field.name] = randomValue(field.type, types, rng, depth);
        else value[String(i)] = randomValue(field, types, rng, depth);
    });
    return value;
}

function randomDefined(def, types, rng, depth) {
    switch (def.type.kind) {
        case 'struct': return randomFields(def.type.fields, types, rng, depth);
        case 'enum': {
            const variant = rng.pick(def.type.variants);
            return { [variant.name]: randomFields(variant.fields, types, rng, depth) };
        }
        case 'type': return randomValue(def.type.alias, types, rng, depth);
        default: throw new Error(`no random value for kind ${def.type.kind}`);
    }
}

/** Anchor's decoded value of an IDL type in the C# decoder's JSON conventions. */
export function toExpected(type, value, types) {
    if (typeof type === 'string') {
        if (type in SMALL_INT_BITS || type === 'bool') return value;
        if (type in BIG_INT_BITS) return value.toString(10);
        switch (type) {
            case 'f32':
            case 'f64':
                if (Number.isNaN(value)) return 'NaN';
                if (value === Infinity) return 'Infinity';
                if (value === -Infinity) return '-Infinity';
                return value;
            case 'bytes': return Buffer.from(value).toString('base64');
            case 'string': return value;
            case 'pubkey': return value.toBase58();
            default: throw new Error(`cannot convert type ${type}`);
        }
    }
    if ('option' in type) return value === null ? null : toExpected(type.option, value, types);
    if ('vec' in type) return value.map((item) => toExpected(type.vec, item, types));
    if ('array' in type) return value.map((item) => toExpected(type.array[0], item, types));
    if ('defined' in type) return definedToExpected(findType(types, definedName(type)), value, types);
    throw new Error(`cannot convert type ${JSON.stringify(type)}`);
}

function fieldsToExpected(fields, value, types) {
    if (!fields?.length) return {};
    if (fields[0].name !== undefined && fields[0].type !== undefined) {
        return Object.fromEntries(fields.map((f) => [f.name, toExpected(f.type, value[f.name], types)]));
    }
    return fields.map((f, i) => toExpected(f, value[String(i)], types));
}

function definedToExpected(def, value, types) {
    switch (def.type.kind) {
        case 'struct': return fieldsToExpected(def.type.fields, value, types);
        case 'enum': {
            const [name] = Object.keys(value);
            const variant = def.type.variants.find((v) => v.name === name);
            if (!variant.fields?.length) return name;
            return { [name]: fieldsToExpected(variant.fields, value[name], types) };
        }
        case 'type': return toExpected(def.type.alias, value, types);
        default: throw new Error(`cannot convert kind ${def.type.kind}`);
    }
}

/**
 * Encodes an account with anchor's coder: coder.accounts.encode where it can, else (accounts over the 1000-byte
 * buffer that BorshAccountsCoder.encode allocates, such as DAMM v2's 1112-byte Pool) the same account layout that
 * encode uses, written into a buffer of the account's size, after the discriminator.
 */
export async function encodeAccount(coder, idl, name, value) {
    const size = coder.accounts.size(name);
    if (size <= 1000) return coder.accounts.encode(name, value);
    const { discriminator, layout } = coder.accounts.accountLayouts.get(name);
    const body = Buffer.alloc(size);
    const length = layout.encode(value, body);
    return Buffer.concat([Buffer.from(discriminator), body.subarray(0, length)]);
}

/** Anchor's own decode of the bytes, converted to the C# conventions. */
export function expectedAccount(coder, idl, name, data) {
    const decoded = coder.accounts.decode(name, data);
    return toExpected({ defined: { name } }, decoded, idl.types);
}

export function parseArguments(usage, args) {
    const fail = (message) => {
        process.stderr.write(`${message}\n${usage}\n`);
        process.exit(2);
    };
    const [seedText, countText, name] = args;
    const seed = Number(seedText);
    const count = Number(countText);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail(`seed '${seedText}' is not an integer from 0 to 4294967295`);
    if (!Number.isInteger(count) || count < 1) fail(`count '${countText}' is not a positive integer`);
    if (!name) fail('the account name is missing');
    return { seed, count, name, fail };
}
