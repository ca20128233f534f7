/**
 * Column and category names in the words a marketer reads: the manifest's "display" name where
 * given, else the column name split into lower-case words ("Detergents_Paper" → "detergents
 * paper", "NumWebPurchases" → "num web purchases"). One-hot features ("Contract=Month-to-month")
 * are spelled as their category, never as "Contract=… ≤ 0".
 */
export interface FeatureWords {
  /** The feature as a noun phrase: "income", "month-to-month contract", "no internet service". */
  words: string;
  /** One-hot features: the segment mean and overall mean are shares of customers in the category. */
  share: boolean;
}

const YES = /^(yes|y|true|t|1)$/i;
const NO = /^(no|n|false|f|0)$/i;

/** One-hot feature name ("Contract=Month-to-month") → its column, category and the column's categories. */
export type OneHotFeatures = Map<string, { column: string; value: string; categories: string[] }>;

export function oneHotFeatures(encoded: ReadonlyArray<{ column: string; categories: string[] }>): OneHotFeatures {
  return new Map(encoded.flatMap((e) => e.categories.map((value) => [`${e.column}=${value}`, { column: e.column, value, categories: e.categories }] as const)));
}

export function columnWords(column: string, display: Record<string, string> = {}): string {
  if (display[column]) return display[column];
  return column
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .replace(/[_\s]+/g, " ")
    .trim()
    .toLowerCase();
}

/**
 * A feature in words. A yes/no column (its categories all yes/no words: Yes/No, 1/0, true/false)
 * reads "with X" / "without X"; a category that already names its column ("No internet service"
 * of InternetService) reads alone; a number reads "<column> <n>" (Region 3); others read
 * "<category> <column>".
 */
export function featureWords(feature: string, oneHot: OneHotFeatures, display: Record<string, string> = {}): FeatureWords {
  const hot = oneHot.get(feature);
  if (!hot) return { words: columnWords(feature, display), share: false };
  const column = columnWords(hot.column, display);
  const value = hot.value.trim();
  const yesNo = hot.categories.every((c) => YES.test(c.trim()) || NO.test(c.trim()));
  if (yesNo && YES.test(value)) return { words: `with ${column}`, share: true };
  if (yesNo && NO.test(value)) return { words: `without ${column}`, share: true };
  const lower = value.toLowerCase();
  const namesColumn = column.split(" ").every((w) => lower.includes(w));
  if (namesColumn) return { words: lower, share: true };
  if (/^[\d.]+$/.test(value)) return { words: `${column} ${value}`, share: true };
  return { words: `${lower} ${column}`, share: true };
}

/** Upper-cases the first letter (names start a card title). */
export function capitalise(text: string): string {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}
