// Restart intensity (OTP's MaxR in MaxT): remembers restart times in a sliding
// window. Pure: the caller passes the clock reading.

export interface RestartWindow {
  /** Records a restart at `nowMs`; false when it makes more than `intensity` restarts within `period` seconds. */
  add(nowMs: number): boolean;
  /** Restarts currently inside the window. */
  count(nowMs: number): number;
}

export function restartWindow(intensity: number, periodS: number): RestartWindow {
  const times: number[] = [];
  const periodMs = periodS * 1000;
  const prune = (now: number) => {
    while (times.length > 0 && now - times[0]! >= periodMs) times.shift();
  };
  return {
    add(now) {
      prune(now);
      times.push(now);
      return times.length <= intensity;
    },
    count(now) {
      prune(now);
      return times.length;
    },
  };
}
