import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { countdown, shareProgress } from "../loaders/experiment/progress.ts";

describe("progress lines with the time left", () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ["performance"] }));
  afterEach(() => vi.useRealTimers());

  it("a countdown numbers its parts and estimates the time left from the pace, once 2 s have passed", () => {
    const lines: string[] = [];
    const next = countdown(10, (m) => lines.push(m));
    next("a");
    vi.advanceTimersByTime(1000);
    next("b", 2);
    vi.advanceTimersByTime(2000);
    next("c");
    vi.advanceTimersByTime(60_000);
    next("d");
    // 3 s for 3 parts: 7 s for the other 7; then 63 s for 4 parts: 95 s for 6, said in minutes.
    expect(lines).toEqual(["[1/10] a", "[2/10] b", "[4/10] c; about 7 s left", "[5/10] d; about 2 min left"]);
  });

  it("a step reporting its share done is silent for 2 s, then speaks at most every 2 s, never at the end", () => {
    const lines: string[] = [];
    const report = shareProgress("silhouettes of 32 runs", (m) => lines.push(m))!;
    vi.advanceTimersByTime(1500);
    report(0.3);
    vi.advanceTimersByTime(1000);
    report(0.5);
    vi.advanceTimersByTime(500);
    report(0.6);
    vi.advanceTimersByTime(2000);
    report(1);
    expect(lines).toEqual(["silhouettes of 32 runs: 50%; about 3 s left"]);
    expect(shareProgress("nobody listens", undefined)).toBeUndefined();
  });
});
