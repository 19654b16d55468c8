'use strict';
// ioredis's defineCommand (EVALSHA with an EVAL fallback) and node-redis's
// scripts on Lua scripts; driven by TestNodeScripts in
// compat_scripts_clients_test.go.
//
// Usage: node scripts.js --unix SOCK --host 127.0.0.1 --port PORT
// Prints OK last on success; exits 1 with the failure otherwise.

const assert = require('node:assert/strict');
const { createClient, defineScript } = require('redis');
const Redis = require('ioredis');
const { run } = require('./cli');

async function ioredis(options, p) {
  const r = new Redis(options);
  try {
    await r.script('FLUSH');
    r.defineCommand('addTo', {
      numberOfKeys: 1,
      lua: "return redis.call('incrby', KEYS[1], ARGV[1])",
    });
    assert.equal(await r.addTo(p + 'n', 5), 5);
    await r.script('FLUSH'); // the next call gets NOSCRIPT and falls back to EVAL
    assert.equal(await r.addTo(p + 'n', 2), 7);
    const [res] = await r.multi().addTo(p + 'n', 1).exec();
    assert.deepEqual(res, [null, 8]);
    assert.deepEqual(await r.eval("return {1, 'x', {ok='y'}}", 0), [1, 'x', 'y']);
    await assert.rejects(r.eval("return redis.call('nosuch')", 0), /Unknown Redis command called from script/);
    await assert.rejects(r.evalsha('f'.repeat(40), 0), /NOSCRIPT/);
  } finally {
    r.disconnect();
  }
}

async function nodeRedis(options, p) {
  const c = createClient({
    ...options,
    scripts: {
      addTo: defineScript({
        NUMBER_OF_KEYS: 1,
        SCRIPT: "return redis.call('incrby', KEYS[1], ARGV[1])",
        parseCommand(parser, key, n) {
          parser.pushKey(key);
          parser.push(String(n));
        },
        transformReply: (reply) => reply,
      }),
    },
  });
  await c.connect();
  try {
    await c.scriptFlush();
    assert.equal(await c.addTo(p + 'm', 3), 3);
    await c.scriptFlush();
    assert.equal(await c.addTo(p + 'm', 4), 7);
    assert.deepEqual(await c.eval("return {KEYS[1], ARGV[1]}", { keys: ['k'], arguments: ['a'] }), ['k', 'a']);
  } finally {
    await c.quit();
  }
}

run(async (a) => {
  await ioredis({ path: a.unix }, 'io-script:unix:');
  await ioredis({ host: a.host, port: a.port }, 'io-script:tcp:');
  await nodeRedis({ socket: { path: a.unix } }, 'nr-script:unix:');
  await nodeRedis({ socket: { host: a.host, port: a.port } }, 'nr-script:tcp:');
});
