// Reads one transaction from FakeSolanaRpcServer with @solana/web3.js's getTransaction (superstruct checks the reply's
// shape) and prints what web3.js understood as one JSON line: the account keys in balance-index order (static, then
// loaded writable, then loaded readonly), balances, token balances, fee, error, slot and block time. Usage:
//   node web3-transaction.mjs <http-url> <signature>

import { Connection } from '@solana/web3.js';

const [httpUrl, signature] = process.argv.slice(2);
if (!httpUrl || !signature) {
    process.stderr.write('usage: node web3-transaction.mjs <http-url> <signature>\n');
    process.exit(2);
}

const connection = new Connection(httpUrl, { commitment: 'confirmed', disableRetryOnRateLimit: true });
const tx = await connection.getTransaction(signature, { commitment: 'confirmed', maxSupportedTransactionVersion: 0 });
const keys = tx.transaction.message.getAccountKeys({ accountKeysFromLookups: tx.meta.loadedAddresses });
const token = (b) => ({
    accountIndex: b.accountIndex,
    mint: b.mint,
    owner: b.owner,
    programId: b.programId,
    amount: b.uiTokenAmount.amount,
    decimals: b.uiTokenAmount.decimals,
});
console.log(JSON.stringify({
    slot: tx.slot,
    blockTime: tx.blockTime,
    version: tx.version,
    signature: tx.transaction.signatures[0],
    keys: keys.keySegments().flat().map((k) => k.toBase58()),
    fee: tx.meta.fee,
    err: tx.meta.err,
    preBalances: tx.meta.preBalances,
    postBalances: tx.meta.postBalances,
    preTokenBalances: tx.meta.preTokenBalances.map(token),
    postTokenBalances: tx.meta.postTokenBalances.map(token),
}));
