/**
 * Loaded by the fault suite into the api and the worker (`NODE_OPTIONS=--require …`): this process's wall clock
 * (`Date`, `Date.now()`) runs ahead or behind by the milliseconds written in the file `CHAOS_CLOCK_FILE`, re-read
 * every 100 ms (not on a signal: Nest's shutdown hooks take SIGUSR2 for a stop), as after an NTP step or an operator's `date -s`. Monotonic time (timers, performance.now) is left
 * alone, as a wall-clock jump leaves it. Never loaded by the product itself.
 */
const { readFileSync } = require('node:fs');
const { setInterval } = require('node:timers');

const RealDate = Date;
let offset = 0;
const read = () => {
  try {
    offset = Number(readFileSync(process.env.CHAOS_CLOCK_FILE, 'utf8')) || 0;
  } catch {
    offset = 0;
  }
};
read();
setInterval(read, 100).unref();

const now = () => RealDate.now() + offset;
globalThis.Date = new Proxy(RealDate, {
  construct: (target, args, newTarget) =>
    Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget),
  apply: () => new RealDate(now()).toString(),
  get: (target, prop, receiver) => (prop === 'now' ? now : Reflect.get(target, prop, receiver)),
});
