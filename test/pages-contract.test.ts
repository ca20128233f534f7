import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DISSOLVED, STABLE } from "../loaders/evaluate/stability.ts";
import { RECOMMEND_DEFAULTS } from "../loaders/experiment/recommend.ts";
import { AT_RISK_SHARE, FOCUS_LIFT, HIGH_VALUE, LOW_VALUE, MIN_Z } from "../loaders/profile/personas.ts";
import { HEATMAP_FEATURES, PARALLEL_FEATURES } from "../loaders/report/segments.ts";
import { REPO } from "./helpers/project.ts";

/**
 * The engine emits data and the pages write the sentences: a threshold or cap a page mentions
 * must come from the page's JSON (loaders/report/contract.ts), not be typed again in Markdown,
 * where it would silently go stale when the engine's value changes.
 */
const PAGES = join(REPO, "src", "[dataset]");
const pages = readdirSync(PAGES).filter((f) => f.endsWith(".md")).map((f) => ({ file: f, text: readFileSync(join(PAGES, f), "utf8") }));

describe("report pages take the engine's thresholds from their JSON", () => {
  const thresholds: Record<string, number> = {
    MIN_Z,
    HIGH_VALUE,
    LOW_VALUE,
    FOCUS_LIFT,
    STABLE,
    DISSOLVED,
    minStability: RECOMMEND_DEFAULTS.minStability,
    HEATMAP_FEATURES,
    PARALLEL_FEATURES
  };
  // Numbers that mean something else on a page (0.5: the AUC of guessing) are allowed in code.
  const prose = (text: string) => text.replace(/```js[\s\S]*?```/g, (block) => block.replace(/fixed\(0\.5\)/g, "")).replace(/style="[^"]*"|<style>[\s\S]*?<\/style>|\{[^}]*padding[^}]*\}/g, "");
  for (const [name, value] of Object.entries(thresholds)) {
    it(`${name} (${value}) is never typed into a page`, () => {
      const literal = new RegExp(`(?<![\\w.$-])${String(value).replace(".", "\\.")}(?![\\w.%])`);
      const hits = pages.filter((p) => literal.test(prose(p.text))).map((p) => `${p.file}: ${prose(p.text).match(literal)?.input?.split("\n").find((l) => literal.test(l))?.trim()}`);
      expect(hits).toEqual([]);
    });
  }

  it("the at-risk share and the k range are read from the JSON too", () => {
    expect(pages.find((p) => p.file === "personas.md")!.text).toContain("p.settings.atRiskShare");
    expect(pages.find((p) => p.file === "index.md")!.text).toContain("r.settings.kRange");
    expect(AT_RISK_SHARE).toBeGreaterThan(0);
  });
});
