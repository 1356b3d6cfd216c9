// What every vector script shares: its command line (<seed> <count> [kind]) and a seeded random source.

import { PublicKey } from '@solana/web3.js';

export const U64_MAX = (1n << 64n) - 1n;
const U64_EDGES = [0n, 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, U64_MAX - 1n, U64_MAX];

/** Parses `<seed> <count> [kind]`; exits with status 2 and the usage on bad arguments. */
export function parseVectorArgs(usage, kinds) {
    const fail = (message) => {
        process.stderr.write(`${message}\n${usage}\n`);
        process.exit(2);
    };
    const [seedText, countText, kind] = process.argv.slice(2);
    const seed = Number(seedText);
    const count = Number(countText);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
        fail(`seed '${seedText}' is not an integer from 0 to 4294967295`);
    }
    if (!Number.isInteger(count) || count < 1) {
        fail(`count '${countText}' is not a positive integer`);
    }
    if (kind !== undefined && !kinds.includes(kind)) {
        fail(`kind '${kind}' is not one of ${kinds.join(', ')}`);
    }
    return { seed, count, kinds: kind === undefined ? kinds : [kind] };
}

/** mulberry32: tiny, seedable and identical on every platform, which Math.random is not. */
export function seededRandom(seed) {
    let state = seed >>> 0;
    const random = () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const randomInt = (limit) => Math.floor(random() * limit);
    const pick = (items) => items[randomInt(items.length)];
    const randomBytes = (length) => Buffer.from(Array.from({ length }, () => randomInt(256)));

    // Keys where base58 goes wrong: the all-zero key (32 '1's) and leading zero bytes (leading '1's).
    const randomKey = () => {
        const bytes = randomBytes(32);
        const roll = random();
        if (roll < 0.03) {
            bytes.fill(0);
        } else if (roll < 0.15) {
            bytes.fill(0, 0, 1 + randomInt(3));
        }
        return new PublicKey(bytes);
    };

    // Amounts cluster where decoders go wrong: past 2^53 (JavaScript numbers) and next to 2^64.
    const randomU64 = () => {
        switch (randomInt(4)) {
            case 0:
                return pick(U64_EDGES);
            case 1:
                return U64_MAX - BigInt(randomInt(1_000_000));
            case 2:
                return BigInt(randomInt(1_000_000_000));
            default:
                return randomBytes(8).readBigUInt64LE(0);
        }
    };

    return { random, randomInt, chance: (probability) => random() < probability, pick, randomBytes, randomKey, randomU64 };
}
