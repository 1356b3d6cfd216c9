// What every vector script shares: its command line (<seed> <count> [kind]) and a seeded random source.

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
    return {
        random,
        randomInt,
        chance: (probability) => random() < probability,
        pick: (items) => items[randomInt(items.length)],
        randomBytes: (length) => Buffer.from(Array.from({ length }, () => randomInt(256))),
    };
}
