// Runs @solana/web3.js's Connection (which checks every reply's shape with superstruct) against FakeSolanaRpcServer
// and prints what it read, one JSON line per call: {"name": …, "value": …}. Usage:
//   node web3-check.mjs <http-url> <ws-url> '<json: {account, missing, program, dataSize, memcmp}>'
// The subscriptions part waits for accountNotification, programNotification and logsNotification (the C# test pushes
// them once the three subscriptions exist), then prints them and exits.

import { Connection, PublicKey } from '@solana/web3.js';

const [httpUrl, wsUrl, argsJson] = process.argv.slice(2);
if (!httpUrl || !wsUrl || !argsJson) {
    process.stderr.write('usage: node web3-check.mjs <http-url> <ws-url> <json-args>\n');
    process.exit(2);
}

const args = JSON.parse(argsJson);
const connection = new Connection(httpUrl, { commitment: 'confirmed', wsEndpoint: wsUrl, disableRetryOnRateLimit: true });
const out = (name, value) => console.log(JSON.stringify({ name, value }));
const account = (info) => info && {
    owner: info.owner.toBase58(),
    lamports: info.lamports,
    data: info.data.toString('base64'),
    executable: info.executable,
    rentEpoch: info.rentEpoch,
};
const key = new PublicKey(args.account);
const program = new PublicKey(args.program);
const filters = [{ dataSize: args.dataSize }, { memcmp: { offset: 0, bytes: args.memcmp } }];

out('getAccountInfo', account(await connection.getAccountInfo(key)));
out('getAccountInfoMissing', await connection.getAccountInfo(new PublicKey(args.missing)));
out('getMultipleAccountsInfo', (await connection.getMultipleAccountsInfo([key, new PublicKey(args.missing)])).map(account));
out('getProgramAccounts', (await connection.getProgramAccounts(program, { filters }))
    .map((keyed) => ({ pubkey: keyed.pubkey.toBase58(), account: account(keyed.account) })));
out('getBalance', await connection.getBalance(key));
out('getSlot', await connection.getSlot());
out('getSignaturesForAddress', await connection.getSignaturesForAddress(key, { limit: 10 }));

const received = {};
let finish;
const done = new Promise((resolve) => { finish = resolve; });
const note = (kind, value) => {
    received[kind] = value;
    if (received.account && received.program && received.logs) {
        finish();
    }
};
connection.onAccountChange(key, (info, context) => note('account', { slot: context.slot, account: account(info) }), 'confirmed');
connection.onProgramAccountChange(
    program,
    (keyed, context) => note('program', { slot: context.slot, pubkey: keyed.accountId.toBase58(), account: account(keyed.accountInfo) }),
    'confirmed',
    filters);
connection.onLogs(key, (logs, context) => note('logs', { slot: context.slot, ...logs }), 'confirmed');

const timer = setTimeout(() => {
    process.stderr.write(`timed out waiting for notifications; got ${JSON.stringify(received)}\n`);
    process.exit(1);
}, 30_000);
await done;
clearTimeout(timer);
out('notifications', received);
process.exit(0);
