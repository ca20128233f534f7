import type { ColumnRole } from "../manifest/types.ts";
import { plainNumber } from "./values.ts";

/** A role given to a column the manifest or the command line did not describe, and why. */
export interface InferredRole {
  name: string;
  role: ColumnRole;
  reason: string;
  /** An inferred churn outcome: its value that means the customer left, when the words say so. */
  positive?: string;
}

/** Text columns with more distinct values than this are not one-hot encoded (nor clustered on). */
export const MAX_CATEGORIES = 50;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[\d\s().-]{7,}$/;

/**
 * A phone number: PHONE's characters, and either not a plain number ("555-123-4567",
 * "(555) 123 4567") or 10 to 15 digits alone (E.164's lengths). Amounts such as 12345.67 and
 * 8-digit codes are made of the same characters: taken for phone numbers, a column of them
 * with one stray text was read as personal and silently left out.
 */
function phoneLike(v: string): boolean {
  return PHONE.test(v) && (Number.isNaN(plainNumber(v)) || /^\+?\d{10,15}$/.test(v.trim()));
}
/** Codes such as C1234 or 7590-VHVEG: one token of letters, digits and punctuation, with a digit. */
const CODE = /^(?=.*\d)[A-Za-z0-9_\-.:#/]+$/;

/** Churn, Churned, Attrition_Flag, Exited, Left, Cancelled: a column that says the customer left. */
const CHURN_OUTCOME = /churn|attrition|attrited|^(exited|left|cancell?ed|defected)$/i;

/** Values that say the customer left, for an inferred churn outcome's positive value. */
const LEFT_WORDS = /attrit|churn|cancel|closed|left|exited|lost|former/i;

/** A column named like Churn, Exited or Attrition_Flag: whether the customer left. */
export function namedLikeChurn(name: string): boolean {
  return CHURN_OUTCOME.test(name);
}

/** "id", "ID", "customer_id", "CustomerID", "customerId", "Customer ID" — not "Paid" or "Valid". */
export function idLikeName(name: string): boolean {
  return /(^|[\s_\-.])id($|[\s_\-.])/i.test(name) || /[a-z](ID|Id)$/.test(name) || /^(customer|client|user|account|member)(_?(no|number|key|code))?$/i.test(name);
}

/**
 * The column of a file as the reader scanned it: numbers when every present value was a plain
 * number (NaN where missing), else the trimmed texts (null where missing).
 */
/** Whether at least 80% of the texts pass `test`, deciding as soon as the count settles it (a column of 1M texts). */
function mostly(texts: readonly string[], test: (v: string) => boolean): boolean {
  const needed = Math.ceil(0.8 * texts.length);
  let passed = 0;
  for (let i = 0; i < texts.length; i++) {
    if (test(texts[i])) passed++;
    if (passed >= needed) return true;
    if (passed + (texts.length - i - 1) < needed) return false;
  }
  return passed >= needed;
}

export type ScannedValues = Float64Array | Array<string | null>;

/**
 * Roles for undescribed columns from their values, as pandas users expect (numbers are
 * numeric, text is categorical) with the guards a segmentation needs:
 * - every value missing → ignore;
 * - two values in a column named like churn (Churn, Exited, Attrition_Flag), when no outcome is
 *   declared → the outcome: clustering on whether customers left would make segments of it;
 * - a column named like an identifier (customer_id, CustomerID) with mostly distinct values → id;
 * - numbers → numeric;
 * - ISO dates (YYYY-MM-DD) → date ("days since" in a customer table);
 * - e-mail addresses or phone numbers (most values) → personal, so they are never read;
 * - unique text: id when named like an identifier or made of codes (C1234), else ignore
 *   (names, free text), as are texts with more than MAX_CATEGORIES distinct values;
 * - other text → categorical (one-hot encoded).
 * At most one id: once the manifest, the command line or an earlier column gave one, unique
 * columns are ignored instead. Numbers are told apart by value ("1" and "1.0" are one value).
 */
export function inferRoles(
  columns: Array<{ name: string; values: ScannedValues }>,
  { haveId, haveOutcome = false }: { haveId: boolean; haveOutcome?: boolean }
): InferredRole[] {
  let idTaken = haveId;
  let outcomeTaken = haveOutcome;
  return columns.map(({ name, values }) => {
    const role = (r: ColumnRole, reason: string): InferredRole => {
      if (r === "id") idTaken = true;
      return { name, role: r, reason };
    };
    const numbers = values instanceof Float64Array;
    const churnNamed = !outcomeTaken && namedLikeChurn(name);
    const idNamed = !idTaken && idLikeName(name);
    // A million numbers need not be listed nor told apart unless a rule below asks.
    if (numbers && !churnNamed && !idNamed) return values.some((v) => !Number.isNaN(v)) ? role("numeric", "numbers") : role("ignore", "every value is missing");
    const present: Array<string | number> = numbers ? Array.from(values).filter((v) => !Number.isNaN(v)) : values.filter((v) => v !== null);
    if (present.length === 0) return role("ignore", "every value is missing");
    const distinct = new Set(present).size;
    if (churnNamed && distinct === 2) {
      outcomeTaken = true;
      // "Attrited Customer" / "Existing Customer": the value that says leaving is the positive one.
      const left = [...new Set(present)].map(String).filter((v) => LEFT_WORDS.test(v));
      return { ...role("outcome", "named like churn, with two values: predicted as the outcome, never clustered on"), ...(left.length === 1 ? { positive: left[0] } : {}) };
    }
    const unique = present.length >= 2 && distinct === present.length && present.length === values.length;
    // Named like an identifier and mostly distinct: the id, even with repeats (a customer listed
    // twice), which preparation then drops and reports, rather than one-hot encoding the ids.
    if (idNamed && distinct >= 0.5 * present.length && present.length >= 2) {
      return role("id", unique ? "named like an identifier, a different value on every row" : "named like an identifier; repeated ids are dropped as duplicates");
    }
    if (numbers) return role("numeric", "numbers");
    const texts = present as string[];
    if (texts.every((v) => ISO_DATE.test(v))) return role("date", "dates (YYYY-MM-DD)");
    if (mostly(texts, (v) => EMAIL.test(v))) return role("personal", "e-mail addresses: never read");
    if (mostly(texts, phoneLike)) return role("personal", "phone numbers: never read");
    if (unique) {
      if (!idTaken && (idLikeName(name) || texts.every((v) => CODE.test(v)))) return role("id", "a unique code per row");
      return role("ignore", "a different text on every row (names or free text), not a feature");
    }
    if (distinct > MAX_CATEGORIES) {
      return role("ignore", `${distinct} distinct texts, too many to one-hot encode (at most ${MAX_CATEGORIES}); give it a role to use it`);
    }
    return role("categorical", `text with ${distinct} distinct value${distinct === 1 ? "" : "s"}`);
  });
}
