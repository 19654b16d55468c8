'use strict';
// The command line shared by the node scripts driven by the Go tests
// (compat.js, types.js): --unix SOCK --host 127.0.0.1 --port PORT.

function parseArgs(argv) {
  const a = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) throw new Error(`bad argument ${argv[i]}`);
    a[argv[i].slice(2)] = argv[i + 1];
  }
  for (const k of ['unix', 'host', 'port']) if (!a[k]) throw new Error(`--${k} is required`);
  return a;
}

// run calls main with the parsed arguments (port as a number) after
// printing the versions under test, prints OK when it resolves, and exits 1
// with the failure when it rejects.
function run(main) {
  const a = parseArgs(process.argv.slice(2));
  a.port = Number(a.port);
  console.log(`node ${process.version}, redis ${require('redis/package.json').version}, ioredis ${require('ioredis/package.json').version}`);
  main(a).then(
    () => console.log('OK'),
    (e) => {
      console.error(e && e.stack ? e.stack : e);
      process.exit(1);
    },
  );
}

module.exports = { run };
