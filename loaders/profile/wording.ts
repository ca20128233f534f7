/**
 * Column and category names in the words a marketer reads: the manifest's "display" name where
 * given, else the column name split into lower-case words ("Detergents_Paper" → "detergents
 * paper", "NumWebPurchases" → "num web purchases"). One-hot features ("Contract=Month-to-month")
 * are spelled as their category, never as "Contract=… ≤ 0".
 */
import { oneHotName } from "../prepare/fitted.ts";

export interface FeatureWords {
  /** The feature as a noun phrase: "income", "month-to-month contract", "no internet service". */
  words: string;
  /** One-hot features: the segment mean and overall mean are shares of customers in the category. */
  share: boolean;
}

/** The opposite of a share's words: "with internet service" for "no internet service", "not basic plan". */
export function negation(words: string): string {
  const m = /^(no|without) (.+)$/.exec(words) ?? /^(with) (.+)$/.exec(words);
  if (!m) return `not ${words}`;
  return m[1] === "with" ? `without ${m[2]}` : `with ${m[2]}`;
}

const YES = /^(yes|y|true|t|1)$/i;
const NO = /^(no|n|false|f|0)$/i;

/** One-hot feature name ("Contract=Month-to-month") → its column, category and the column's categories. */
export type OneHotFeatures = Map<string, { column: string; value: string; categories: string[] }>;

export function oneHotFeatures(encoded: ReadonlyArray<{ column: string; categories: string[] }>): OneHotFeatures {
  return new Map(encoded.flatMap((e) => e.categories.map((value) => [oneHotName(e.column, value), { column: e.column, value, categories: e.categories }] as const)));
}

export function columnWords(column: string, display: Record<string, string> = {}): string {
  if (display[column]) return display[column];
  // A date column's feature ("days since Dt_Customer") takes the date column's display name.
  const since = /^days since (.+)$/.exec(column);
  if (since && display[since[1]]) return display[since[1]];
  return column
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .replace(/[_\s]+/g, " ")
    .trim()
    .split(" ")
    .map(lowerWord)
    .join(" ");
}

/** Lower-cases a word unless it is an acronym (DSL, TV, VIP), which stays as written. */
function lowerWord(word: string): string {
  return /^[A-Z0-9]{2,}$/.test(word) && /[A-Z]/.test(word) ? word : word.toLowerCase();
}

function lowerWords(text: string): string {
  return text.split(/(\s+)/).map(lowerWord).join("");
}

/**
 * A feature in words. A 0/1 column or a one-hot category is a share of customers. In a yes/no
 * column (its categories include a yes and a no word: Yes/No, 1/0, true/false) yes reads
 * "with X" and no "without X"; a category that already names its column ("No internet service"
 * of InternetService) reads alone; a number reads "<column> <n>" (Region 3); others read
 * "<category> <column>".
 */
export function featureWords(feature: string, oneHot: OneHotFeatures, display: Record<string, string> = {}, binary: ReadonlySet<string> = new Set()): FeatureWords {
  const hot = oneHot.get(feature);
  // A 0/1 number (SeniorCitizen) is a share of customers too.
  if (!hot) return { words: columnWords(feature, display), share: binary.has(feature) };
  const column = columnWords(hot.column, display);
  const value = hot.value.trim();
  // Yes/No (1/0, true/false), possibly with a third value such as "No internet service".
  const yesNo = hot.categories.some((c) => YES.test(c.trim())) && hot.categories.some((c) => NO.test(c.trim()));
  if (yesNo && YES.test(value)) return { words: `with ${column}`, share: true };
  if (yesNo && NO.test(value)) return { words: `without ${column}`, share: true };
  const lower = lowerWords(value);
  // "No internet service" of DeviceProtection says it all; "Month-to-month" needs "contract".
  const namesColumn = column.split(" ").every((w) => lower.includes(w)) || /^no\s/.test(lower);
  if (namesColumn) return { words: lower, share: true };
  if (/^[\d.]+$/.test(value)) return { words: `${column} ${value}`, share: true };
  return { words: `${lower} ${column}`, share: true };
}

/** Upper-cases the first letter (names start a card title). */
export function capitalise(text: string): string {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

/** Features whose every present value is 0 or 1: shares of customers, not amounts. */
export function binaryFeatures(m: { names: string[]; n: number; d: number; data: Float64Array }): Set<string> {
  const out = new Set<string>();
  m.names.forEach((name, j) => {
    let seen = 0;
    for (let i = 0; i < m.n; i++) {
      const x = m.data[i * m.d + j];
      if (Number.isNaN(x)) continue;
      if (x !== 0 && x !== 1) return;
      seen++;
    }
    if (seen) out.add(name);
  });
  return out;
}
