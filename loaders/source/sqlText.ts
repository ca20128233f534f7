/**
 * The portable SQL the workbench sends to a database. One text runs unchanged on PostgreSQL,
 * DuckDB and the PostgreSQL-protocol distributed engines (Citus, YugabyteDB); Amazon Redshift
 * differs in one expression, the day number of a date, so that alone is a dialect.
 *
 * The subset (checked by `portableViolations`, tested on every query the workbench writes):
 * SELECT … FROM … WHERE … GROUP BY … HAVING, subqueries in FROM with an alias, CASE WHEN,
 * CAST(x AS INTEGER | DOUBLE PRECISION | VARCHAR | DATE), COUNT(*), SUM, MIN, MAX, ABS,
 * COALESCE, GREATEST, SUBSTRING(x FROM i FOR n), comparison and arithmetic operators, quoted
 * identifiers and single-quoted literals. Not used: `::` casts, FILTER, DISTINCT ON,
 * COUNT(DISTINCT) (a distributed engine pulls it to the coordinator), window functions, CTEs
 * (WITH), date_diff / EXTRACT(EPOCH), integer division (7 / 2 is 3 on PostgreSQL, 3.5 on
 * DuckDB), LIMIT/OFFSET, ORDER BY (rows are ordered in the workbench, whose order does not
 * depend on a collation).
 */
import { WorkbenchError } from "../errors.ts";

/** How the day number (days since 1970-01-01) of a DATE or TIMESTAMP is written. */
export type SqlDialect = "postgres" | "redshift" | "duckdb";

export const SQL_DIALECTS: readonly SqlDialect[] = ["postgres", "redshift", "duckdb"];

/** A quoted table name; "schema.table" is quoted part by part. */
export function identifier(name: string): string {
  return name.split(".").map(quoted).join(".");
}

/** A quoted column name, whatever it holds (a dot included). */
export function quoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A single-quoted text literal. */
export function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Whole days from 1970-01-01 to the date (a timestamp counts by its date, in UTC). */
export function dayNumber(expression: string, dialect: SqlDialect): string {
  const epoch = "CAST('1970-01-01' AS DATE)";
  const date = `CAST(${expression} AS DATE)`;
  return dialect === "redshift" ? `CAST(DATEDIFF(day, ${epoch}, ${date}) AS INTEGER)` : `CAST(${date} - ${epoch} AS INTEGER)`;
}

/**
 * A user's query as a FROM item: trailing semicolons go, and the closing parenthesis goes on a
 * line of its own, so a trailing "-- comment" does not swallow it.
 */
export function subquery(query: string, alias: string): string {
  const body = query.trim().replace(/(;\s*)+$/, "").trim();
  if (body === "") throw new WorkbenchError("the SQL query is empty", { hint: 'Give "query" a SELECT, or name a "table"' });
  return `(${body}\n) AS ${quoted(alias)}`;
}

const FORBIDDEN: Array<[RegExp, string]> = [
  [/::/, "a :: cast (write CAST(x AS type))"],
  [/\bFILTER\s*\(/i, "an aggregate FILTER clause"],
  [/\bDISTINCT\b/i, "DISTINCT (COUNT(DISTINCT) runs on the coordinator of a distributed engine)"],
  [/\bOVER\s*\(/i, "a window function"],
  [/^\s*WITH\b|\)\s*,\s*\w+\s+AS\s*\(/i, "a common table expression (WITH)"],
  [/\bDATE_DIFF\b|\bEXTRACT\s*\(/i, "date_diff / EXTRACT"],
  [/\bLIMIT\b|\bOFFSET\b/i, "LIMIT / OFFSET"],
  [/\bORDER\s+BY\b/i, "ORDER BY"],
  [/\bILIKE\b|\bREGEXP|~\*?\s*'/i, "a regular expression or ILIKE"],
  [/\bNOW\s*\(|\bCURRENT_DATE\b|\bCURRENT_TIMESTAMP\b/i, "the database's clock (the workbench passes its run date)"]
];

const ALLOWED_TYPES = /^(INTEGER|DOUBLE PRECISION|VARCHAR|DATE)$/i;
const ALLOWED_FUNCTIONS = new Set(["CAST", "COUNT", "SUM", "MIN", "MAX", "ABS", "COALESCE", "GREATEST", "SUBSTRING", "DATEDIFF", "READ_PARQUET"]);
const KEYWORDS_BEFORE_PAREN = new Set(["AS", "FROM", "IN", "AND", "OR", "NOT", "WHEN", "THEN", "ELSE", "ON", "SELECT", "WHERE", "BY", "HAVING"]);

/**
 * What in a query the workbench wrote falls outside the portable subset (empty: none). Literals
 * and quoted identifiers are blanked first, so a column named "order by" is no violation.
 */
export function portableViolations(sql: string): string[] {
  const code = sql.replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"]|"")*"/g, '""');
  const found: string[] = [];
  for (const [pattern, what] of FORBIDDEN) if (pattern.test(code)) found.push(what);
  for (const match of code.matchAll(/\b([A-Za-z_][A-Za-z_0-9]*)\s*\(/g)) {
    const name = match[1].toUpperCase();
    if (!ALLOWED_FUNCTIONS.has(name) && !KEYWORDS_BEFORE_PAREN.has(name)) found.push(`the function ${match[1]}`);
  }
  for (const match of code.matchAll(/\bAS\s+([A-Za-z][A-Za-z ]*?)\s*\)/gi)) {
    if (!ALLOWED_TYPES.test(match[1].trim())) found.push(`a cast to ${match[1].trim()}`);
  }
  return [...new Set(found)];
}
