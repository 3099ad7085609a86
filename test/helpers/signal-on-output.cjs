// Preloaded (NODE_OPTIONS=--require) into a command under test: the moment its stdout first carries text matching
// CALLHOOKS_TEST_SIGNAL_ON (a regular expression), the process sends itself CALLHOOKS_TEST_SIGNAL (SIGTERM by
// default), synchronously, inside that write. This is a person pressing Ctrl-C, or a supervisor stopping it, as
// soon as the line appears: a process that has no handler for the signal yet dies of it on the spot.
'use strict';
const pattern = process.env.CALLHOOKS_TEST_SIGNAL_ON;
if (pattern) {
  const re = new RegExp(pattern);
  const signal = process.env.CALLHOOKS_TEST_SIGNAL || 'SIGTERM';
  const write = process.stdout.write.bind(process.stdout);
  let sent = false;
  process.stdout.write = (chunk, ...rest) => {
    const result = write(chunk, ...rest);
    if (!sent && re.test(String(chunk))) {
      sent = true;
      process.kill(process.pid, signal);
    }
    return result;
  };
}
