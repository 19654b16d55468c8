'use strict';
// node-redis (RESP2 and RESP3) and ioredis on hashes, lists, sets and sorted
// sets, blocking pops, pipelines and MULTI; driven by TestNodeTypes in
// compat_types_clients_test.go.
//
// Usage: node types.js --unix SOCK --host 127.0.0.1 --port PORT
// Prints OK last on success; exits 1 with the failure otherwise. Every check
// compares values, so a server that answers wrongly fails it.

const assert = require('node:assert/strict');
const { createClient } = require('redis');
const Redis = require('ioredis');
const { run } = require('./cli');

// whenBlocked calls serve() once INFO clients (read with info(), a function
// returning INFO's text) reports one blocked client, so that the blocking
// command issued next is served by serve's write. Call the function it
// returns once that command has returned: it resolves to serve's result and
// rejects with serve's error, or because the command returned without ever
// blocking.
function whenBlocked(info, serve) {
  let returned = false;
  const served = (async () => {
    for (;;) {
      const m = /blocked_clients:(\d+)/.exec(await info());
      assert.ok(m, 'INFO clients has no blocked_clients');
      if (m[1] === '1') break;
      assert.ok(!returned, 'the blocking command returned before it blocked');
      await new Promise((r) => setTimeout(r, 2)); // polling the server's own report
    }
    return serve();
  })();
  served.catch(() => {}); // awaited by done(); not an unhandled rejection meanwhile
  return function done() {
    returned = true;
    return served;
  };
}

const sorted = (a) => [...a].sort();

async function nodeRedis(name, options, p) {
  const opts = { ...options, socket: { ...options.socket, reconnectStrategy: false, connectTimeout: 10000 } };
  const c = createClient(opts);
  const other = createClient(opts); // serves blocked pops, meddles with WATCH
  const errors = [];
  c.on('error', (e) => errors.push(e));
  other.on('error', (e) => errors.push(e));
  await c.connect();
  await other.connect();
  const info = () => other.info('clients');
  try {
    // hashes
    assert.equal(await c.hSet(p + 'h', { name: 'ada', lang: 'js', n: 1 }), 3);
    assert.equal(await c.hSet(p + 'h', 'lang', 'c'), 0);
    assert.deepEqual({ ...(await c.hGetAll(p + 'h')) }, { name: 'ada', lang: 'c', n: '1' });
    assert.deepEqual({ ...(await c.hGetAll(p + 'nohash')) }, {});
    assert.equal(await c.hGet(p + 'h', 'missing'), null);
    assert.equal(await c.hIncrBy(p + 'h', 'n', 41), 42);
    assert.equal(Number(await c.hIncrByFloat(p + 'h', 'n', 0.5)), 42.5);
    assert.equal(await c.hGet(p + 'h', 'n'), '42.5');
    assert.deepEqual(await c.hmGet(p + 'h', ['name', 'missing']), ['ada', null]);
    assert.equal(await c.hDel(p + 'h', ['lang', 'missing']), 1);
    assert.deepEqual(sorted(await c.hRandFieldCount(p + 'h', 5)), ['n', 'name']);
    assert.equal(await c.type(p + 'h'), 'hash');
    const big = {};
    for (let i = 0; i < 600; i++) big[`f${String(i).padStart(4, '0')}`] = `v${i * 7}`;
    assert.equal(await c.hSet(p + 'bighash', big), 600);
    const scanned = {};
    for await (const entries of c.hScanIterator(p + 'bighash', { COUNT: 50 })) {
      for (const { field, value } of entries) scanned[field] = value;
    }
    assert.deepEqual(scanned, big);

    // lists
    assert.equal(await c.rPush(p + 'l', ['a', 'b', 'c']), 3);
    assert.equal(await c.lPush(p + 'l', ['y', 'z']), 5);
    assert.deepEqual(await c.lRange(p + 'l', 0, -1), ['z', 'y', 'a', 'b', 'c']);
    assert.deepEqual(await c.lPopCount(p + 'l', 2), ['z', 'y']);
    assert.equal(await c.lPos(p + 'l', 'c'), 2);
    assert.equal(await c.lMove(p + 'l', p + 'l2', 'RIGHT', 'LEFT'), 'c');
    assert.equal(await c.blPop([p + 'e1', p + 'e2'], 0.1), null); // times out
    let served = whenBlocked(info, () => other.rPush(p + 'q2', ['job1', 'job2']));
    assert.deepEqual({ ...(await c.blPop([p + 'q1', p + 'q2'], 10)) }, { key: p + 'q2', element: 'job1' });
    assert.equal(await served(), 2);
    served = whenBlocked(info, () => other.lPush(p + 'src', 'x1'));
    assert.equal(await c.blMove(p + 'src', p + 'dst', 'RIGHT', 'LEFT', 10), 'x1');
    await served();
    assert.deepEqual(await c.lRange(p + 'dst', 0, -1), ['x1']);
    assert.equal(await c.type(p + 'l'), 'list');

    // sets
    assert.equal(await c.sAdd(p + 's1', ['a', 'b', 'c', 'd']), 4);
    assert.equal(await c.sAdd(p + 's1', ['a', 'e']), 1);
    assert.deepEqual(sorted(await c.sMembers(p + 's1')), ['a', 'b', 'c', 'd', 'e']);
    assert.equal(await c.sIsMember(p + 's1', 'c'), 1);
    assert.deepEqual(await c.smIsMember(p + 's1', ['a', 'z']), [1, 0]);
    assert.equal(await c.sAdd(p + 's2', ['c', 'd', 'x']), 3);
    assert.deepEqual(sorted(await c.sInter([p + 's1', p + 's2'])), ['c', 'd']);
    assert.equal(await c.sUnionStore(p + 'u', [p + 's1', p + 's2']), 6);
    assert.equal(await c.type(p + 's1'), 'set');

    // sorted sets
    assert.equal(Number(await c.zAdd(p + 'z', [{ score: 1, value: 'a' }, { score: 2, value: 'b' }, { score: 3, value: 'c' }])), 3);
    assert.equal(Number(await c.zAdd(p + 'z', [{ score: 10, value: 'a' }, { score: 4, value: 'd' }], { condition: 'NX' })), 1);
    assert.equal(Number(await c.zAdd(p + 'z', [{ score: 0.5, value: 'a' }, { score: 5, value: 'b' }], { comparison: 'GT', CH: true })), 1);
    assert.equal(Number(await c.zIncrBy(p + 'z', 1.5, 'a')), 2.5);
    assert.deepEqual(await c.zRangeWithScores(p + 'z', 0, -1),
      [{ value: 'a', score: 2.5 }, { value: 'c', score: 3 }, { value: 'd', score: 4 }, { value: 'b', score: 5 }]);
    assert.deepEqual(await c.zRange(p + 'z', '+inf', '(2.5', { BY: 'SCORE', REV: true, LIMIT: { offset: 1, count: 2 } }), ['d', 'c']);
    assert.equal(await c.zRank(p + 'z', 'd'), 2);
    assert.equal(await c.zRank(p + 'z', 'nope'), null);
    assert.deepEqual({ ...(await c.zPopMin(p + 'z')) }, { value: 'a', score: 2.5 });
    served = whenBlocked(info, () => other.zAdd(p + 'bz', [{ score: 7, value: 'late' }, { score: 8, value: 'later' }]));
    assert.deepEqual({ ...(await c.bzPopMin([p + 'bz0', p + 'bz'], 10)) }, { key: p + 'bz', value: 'late', score: 7 });
    assert.equal(Number(await served()), 2);
    assert.equal(await c.bzPopMin(p + 'bz0', 0.1), null); // times out
    assert.equal(await c.type(p + 'z'), 'zset');

    // MULTI/EXEC mixing the types, then WATCH on a hash
    const res = await c.multi()
      .hSet(p + 'th', { a: 1 })
      .rPush(p + 'tl', ['x', 'y'])
      .sAdd(p + 'ts', 'm')
      .zAdd(p + 'tz', { score: 1, value: 'one' })
      .hIncrBy(p + 'th', 'a', 10)
      .lPop(p + 'tl')
      .sCard(p + 'ts')
      .zScore(p + 'tz', 'one')
      .exec();
    assert.deepEqual(res, [1, 2, 1, 1, 11, 'x', 1, 1]);
    await c.watch(p + 'th');
    await other.hSet(p + 'th', 'b', '2');
    assert.equal(await c.multi().hSet(p + 'th', 'a', '0').exec().catch((e) => e.constructor.name), 'WatchError');
    assert.deepEqual({ ...(await c.hGetAll(p + 'th')) }, { a: '11', b: '2' });
    await c.watch(p + 'th');
    assert.deepEqual(await c.multi().hSet(p + 'th', 'a', '0').exec(), [0]);
    assert.equal(await c.hGet(p + 'th', 'a'), '0');
  } finally {
    for (const x of [c, other]) {
      if (typeof x.close === 'function') await x.close(); else await x.quit();
    }
  }
  assert.deepEqual(errors, []);
  console.log(`node-redis ${name}: ok`);
}

async function ioredis(name, options, p) {
  const opts = { ...options, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null };
  const c = new Redis(opts);
  const other = new Redis(opts);
  await c.connect();
  await other.connect();
  const info = () => other.info('clients');
  try {
    // hashes
    assert.equal(await c.hset(p + 'h', { name: 'ada', lang: 'js', n: 1 }), 3);
    assert.deepEqual(await c.hgetall(p + 'h'), { name: 'ada', lang: 'js', n: '1' });
    assert.deepEqual(await c.hgetall(p + 'nohash'), {});
    assert.equal(await c.hincrby(p + 'h', 'n', 41), 42);
    assert.equal(await c.hincrbyfloat(p + 'h', 'n', 0.5), '42.5');
    assert.equal(await c.hget(p + 'h', 'n'), '42.5');
    assert.equal(await c.hdel(p + 'h', 'lang', 'missing'), 1);
    assert.equal(await c.type(p + 'h'), 'hash');
    const big = {};
    for (let i = 0; i < 600; i++) big[`f${String(i).padStart(4, '0')}`] = `v${i * 7}`;
    assert.equal(await c.hset(p + 'bighash', big), 600);
    const scanned = {};
    await new Promise((resolve, reject) => {
      const s = c.hscanStream(p + 'bighash', { count: 50 });
      s.on('data', (kv) => { for (let i = 0; i < kv.length; i += 2) scanned[kv[i]] = kv[i + 1]; });
      s.on('end', resolve);
      s.on('error', reject);
    });
    assert.deepEqual(scanned, big);

    // lists and blocking pops
    assert.equal(await c.lpush(p + 'l', 'a', 'b', 'c'), 3);
    assert.deepEqual(await c.lrange(p + 'l', 0, -1), ['c', 'b', 'a']);
    assert.equal(await c.blpop(p + 'e1', 0.1), null); // times out
    let served = whenBlocked(info, () => other.rpush(p + 'q', 'job1'));
    assert.deepEqual(await c.blpop(p + 'q0', p + 'q', 10), [p + 'q', 'job1']);
    assert.equal(await served(), 1);
    served = whenBlocked(info, () => other.zadd(p + 'bz', 7, 'late'));
    assert.deepEqual(await c.bzpopmin(p + 'bz', 10), [p + 'bz', 'late', '7']);
    assert.equal(await served(), 1);

    // sets and sorted sets
    assert.equal(await c.sadd(p + 's', 'a', 'b', 'c'), 3);
    assert.deepEqual(sorted(await c.smembers(p + 's')), ['a', 'b', 'c']);
    assert.equal(await c.sismember(p + 's', 'b'), 1);
    assert.equal(await c.zadd(p + 'z', 1, 'a', 2, 'b', 3, 'c'), 3);
    assert.equal(await c.zadd(p + 'z', 'NX', 10, 'a', 4, 'd'), 1);
    assert.equal(await c.zadd(p + 'z', 'GT', 'CH', 0.5, 'a', 5, 'b'), 1);
    assert.deepEqual(await c.zrange(p + 'z', 0, -1, 'WITHSCORES'), ['a', '1', 'c', '3', 'd', '4', 'b', '5']);
    assert.deepEqual(await c.zrange(p + 'z', '(1', '+inf', 'BYSCORE', 'LIMIT', 1, 2), ['d', 'b']);
    assert.deepEqual(await c.zrangebyscore(p + 'z', '-inf', 3, 'WITHSCORES'), ['a', '1', 'c', '3']);

    // a pipeline and MULTI/EXEC mixing the types
    const res = await c.pipeline()
      .hset(p + 'ph', 'a', 1)
      .rpush(p + 'pl', 'x', 'y')
      .sadd(p + 'ps', 'm', 'n')
      .zadd(p + 'pz', 2, 'two')
      .hget(p + 'ph', 'a')
      .lrange(p + 'pl', 0, -1)
      .scard(p + 'ps')
      .zscore(p + 'pz', 'two')
      .type(p + 'pz')
      .exec();
    assert.deepEqual(res, [[null, 1], [null, 2], [null, 2], [null, 1], [null, '1'], [null, ['x', 'y']], [null, 2], [null, '2'], [null, 'zset']]);
    const tx = await c.multi()
      .hincrby(p + 'ph', 'a', 10)
      .lpop(p + 'pl')
      .srem(p + 'ps', 'n')
      .zincrby(p + 'pz', 1, 'two')
      .hgetall(p + 'ph')
      .exec();
    assert.deepEqual(tx, [[null, 11], [null, 'x'], [null, 1], [null, '3'], [null, { a: '11' }]]);
    // WATCH on a hash, touched by the other connection: EXEC answers nil
    await c.watch(p + 'ph');
    await other.hset(p + 'ph', 'b', 2);
    assert.equal(await c.multi().hset(p + 'ph', 'a', 0).exec(), null);
    assert.deepEqual(await c.hgetall(p + 'ph'), { a: '11', b: '2' });
  } finally {
    await c.quit();
    await other.quit();
  }
  console.log(`ioredis ${name}: ok`);
}

run(async (a) => {
  const { port } = a;
  await nodeRedis('unix RESP2', { socket: { path: a.unix } }, 'nrt:unix2:');
  await nodeRedis('tcp RESP3', { socket: { host: a.host, port }, RESP: 3 }, 'nrt:tcp3:');
  await ioredis('unix', { path: a.unix }, 'iot:unix:');
  await ioredis('tcp', { host: a.host, port }, 'iot:tcp:');
});
