// A Yellowstone-shaped Geyser server on the official grpc-js stack, used by NodeWireCompatibilityTests to check the
// hand-written C# client (src/Grpc) against independent code. It loads the repository's unmodified protos/geyser.proto,
// listens on 127.0.0.1 over cleartext HTTP/2 on a free port, prints {"port":N} as its first stdout line, and exits when
// its stdin closes (so a crashed test run cannot leave it behind).
//
// Everything it sends is derived from the fixed rules below; the C# test rebuilds the same values and compares every field.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');
const protos = path.join(repoRoot, 'protos');

// includeDirs resolves geyser.proto's imports (solana-storage.proto) from protos/; google/protobuf/timestamp.proto is
// not a file there: protobufjs (under proto-loader) supplies the well-known types itself. The "not found in any of the
// include paths" warning it prints for that one import is expected, so it is silenced.
process.removeAllListeners('warning');
const definition = protoLoader.loadSync(path.join(protos, 'geyser.proto'), {
  includeDirs: [protos],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});
const geyser = grpc.loadPackageDefinition(definition).geyser;

/** n bytes where byte j is (seed * 31 + j * 7) mod 256. */
export function pattern(seed, n) {
  const bytes = Buffer.alloc(n);
  for (let j = 0; j < n; j++) {
    bytes[j] = (seed * 31 + j * 7) & 0xff;
  }
  return bytes;
}

const createdAt = { seconds: '1700000000', nanos: 123456789 };

function accountUpdate(i, filters) {
  return {
    filters,
    account: {
      account: {
        pubkey: pattern(i + 1, 32),
        lamports: i === 2 ? '18446744073709551615' : String(1_000_000_000 * (i + 1)),
        owner: pattern(100 + i, 32),
        executable: i === 1,
        rent_epoch: '18446744073709551615',
        data: pattern(200 + i, [0, 165, 70_000][i]),
        write_version: String(9_007_199_254_740_993n + BigInt(i)),
        ...(i === 0 ? { txn_signature: pattern(300, 64) } : {}),
      },
      slot: String(300_000_000 + i),
      is_startup: i === 0,
    },
    created_at: createdAt,
  };
}

function subscribe(call) {
  let first = true;
  call.on('data', (request) => {
    if (first) {
      first = false;
      // Echo the request: filter names become every update's filters, from_slot the slot update's slot, and the
      // commitment and owners its dead_error, so the test proves the SubscribeRequest arrived intact.
      const filters = Object.keys(request.accounts).sort();
      const owners = filters.flatMap((name) => request.accounts[name].owner);
      for (let i = 0; i < 3; i++) {
        call.write(accountUpdate(i, filters));
      }
      call.write({
        filters,
        slot: {
          slot: request.from_slot ?? '0',
          parent: String(BigInt(request.from_slot ?? '1') - 1n),
          status: 'SLOT_CONFIRMED',
          dead_error: `commitment=${request.commitment} owners=${owners.join(',')}`,
        },
        created_at: createdAt,
      });
      call.write({ filters, ping: {}, created_at: createdAt });
    }
    if (request.ping) {
      call.write({ filters: [], pong: { id: request.ping.id } });
    }
  });
  call.on('end', () => call.end());
  call.on('error', () => {});
}

const server = new grpc.Server();
server.addService(geyser.Geyser.service, {
  Subscribe: subscribe,
  Ping: (call, callback) => callback(null, { count: call.request.count + 1 }),
  GetVersion: (call, callback) => {
    const token = call.metadata.get('x-token');
    callback(null, { version: JSON.stringify({ server: 'grpc-js', token: token.length ? String(token[0]) : null }) });
  },
  GetSlot: (call, callback) => {
    callback({ code: grpc.status.OUT_OF_RANGE, details: 'from_slot too old: 100% gone — ✓ ünïcode; a,b/c?d=e' });
  },
  // Never answers: the client's deadline (and grpc-js's own reading of grpc-timeout) must end it.
  GetBlockHeight: () => {},
});

server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    console.error(error);
    process.exit(1);
  }
  process.stdout.write(JSON.stringify({ port }) + '\n');
});

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
