/** The one source of "now", so that code which computes deadlines can be driven by a fixed instant. */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
