'use strict';
// node-redis (RESP2 and RESP3) and ioredis against a running remoted;
// driven by compat_test.go.
//
// Usage: node compat.js --unix SOCK --host 127.0.0.1 --port PORT
// Prints OK last on success; exits 1 with the failure otherwise.

const assert = require('node:assert/strict');
const { createClient } = require('redis');
const Redis = require('ioredis');
const { run } = require('./cli');

async function nodeRedis(name, options, p) {
  const c = createClient({ ...options, socket: { ...options.socket, reconnectStrategy: false, connectTimeout: 10000 } });
  const errors = [];
  c.on('error', (e) => errors.push(e));
  await c.connect();
  try {
    assert.equal(await c.ping(), 'PONG');
    assert.equal(await c.set(p + 's', 'hello'), 'OK');
    assert.equal(await c.get(p + 's'), 'hello');
    assert.equal(await c.get(p + 'missing'), null);
    assert.equal(await c.set(p + 's', 'x', { NX: true }), null);
    assert.equal(await c.incr(p + 'n'), 1);
    assert.equal(await c.incrBy(p + 'n', 41), 42);
    assert.equal(Number(await c.incrByFloat(p + 'f', 2.5)), 2.5);
    await assert.rejects(c.incr(p + 's'), /not an integer/);
    assert.equal(await c.mSet([p + 'a', '1', p + 'b', '2']), 'OK');
    assert.deepEqual(await c.mGet([p + 'a', p + 'missing', p + 'b']), ['1', null, '2']);
    assert.equal(await c.exists([p + 'a', p + 'b', p + 'missing']), 2);
    assert.equal(Number(await c.expire(p + 'a', 100)), 1);
    const ttl = await c.ttl(p + 'a');
    assert.ok(ttl >= 99 && ttl <= 100, `TTL ${ttl}`);
    assert.equal(await c.ttl(p + 'b'), -1);
    assert.equal(await c.ttl(p + 'missing'), -2);
    assert.equal(await c.type(p + 'a'), 'string');

    const kv = [];
    for (let i = 0; i < 250; i++) kv.push(`${p}scan:${String(i).padStart(3, '0')}`, String(i));
    await c.mSet(kv);
    const seen = new Set();
    for await (const batch of c.scanIterator({ MATCH: p + 'scan:*', COUNT: 40 })) {
      for (const k of Array.isArray(batch) ? batch : [batch]) seen.add(k);
    }
    assert.equal(seen.size, 250);
    assert.equal((await c.keys(p + 'scan:00*')).length, 10);

    // Auto-pipelining: many commands in flight at once.
    const res = await Promise.all(Array.from({ length: 500 }, () => c.incr(p + 'pipe')));
    assert.equal(res[499], 500);
    // An explicit pipeline without MULTI.
    const pl = await c.multi().incr(p + 'pipe').get(p + 'pipe').execAsPipeline();
    assert.deepEqual(pl, [501, '501']);
    assert.equal(await c.del([p + 's', p + 'n', p + 'missing']), 2);
  } finally {
    if (typeof c.close === 'function') await c.close(); else await c.quit();
  }
  assert.deepEqual(errors, []);
  console.log(`node-redis ${name}: ok`);
}

async function ioredis(name, options, p) {
  const c = new Redis({ ...options, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await c.connect(); // with the ready check: INFO, looking for loading:
  try {
    assert.equal(c.status, 'ready');
    assert.equal(await c.ping(), 'PONG');
    assert.equal(await c.set(p + 's', 'hello'), 'OK');
    assert.equal(await c.get(p + 's'), 'hello');
    assert.equal(await c.get(p + 'missing'), null);
    assert.equal(await c.incr(p + 'n'), 1);
    assert.equal(await c.incrby(p + 'n', 41), 42);
    await assert.rejects(c.incr(p + 's'), /not an integer/);
    assert.equal(await c.mset(p + 'a', '1', p + 'b', '2'), 'OK');
    assert.deepEqual(await c.mget(p + 'a', p + 'missing', p + 'b'), ['1', null, '2']);
    assert.equal(await c.expire(p + 'a', 100), 1);
    const ttl = await c.ttl(p + 'a');
    assert.ok(ttl >= 99 && ttl <= 100, `TTL ${ttl}`);
    assert.equal(await c.ttl(p + 'b'), -1);

    const kv = [];
    for (let i = 0; i < 250; i++) kv.push(`${p}scan:${String(i).padStart(3, '0')}`, String(i));
    await c.mset(...kv);
    const seen = new Set();
    await new Promise((resolve, reject) => {
      const s = c.scanStream({ match: p + 'scan:*', count: 40 });
      s.on('data', (keys) => keys.forEach((k) => seen.add(k)));
      s.on('end', resolve);
      s.on('error', reject);
    });
    assert.equal(seen.size, 250);

    const pipe = c.pipeline();
    for (let i = 0; i < 500; i++) pipe.incr(p + 'pipe');
    pipe.get(p + 'pipe');
    const res = await pipe.exec();
    for (const [err] of res) assert.equal(err, null);
    assert.equal(res[res.length - 1][1], '500');
    assert.equal(await c.del(p + 's', p + 'n', p + 'missing'), 2);
  } finally {
    await c.quit();
  }
  console.log(`ioredis ${name}: ok`);
}

run(async (a) => {
  const { port } = a;
  await nodeRedis('unix RESP2', { socket: { path: a.unix } }, 'nr:unix2:');
  await nodeRedis('tcp RESP2', { socket: { host: a.host, port } }, 'nr:tcp2:');
  await nodeRedis('unix RESP3', { socket: { path: a.unix }, RESP: 3 }, 'nr:unix3:');
  await nodeRedis('tcp RESP3', { socket: { host: a.host, port }, RESP: 3 }, 'nr:tcp3:');
  await ioredis('unix', { path: a.unix }, 'io:unix:');
  await ioredis('tcp', { host: a.host, port }, 'io:tcp:');
});
