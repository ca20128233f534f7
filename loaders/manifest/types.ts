/**
 * The dataset manifest (data/manifest.json): one entry per dataset, describing its file and the
 * role of each column. Validation lives in manifest/load.ts.
 */

import type { Encoding } from "../io/text.ts";
import type { RankingMetric } from "../registry/metrics.ts";

export type DatasetKind = "customers" | "transactions";
/** Text formats, read by loaders/io. */
export type TextFormat = "csv" | "tsv" | "whitespace";
/** File formats; "parquet" is read by DuckDB (loaders/source). */
export type FileFormat = TextFormat | "parquet";

/**
 * A table or query in a PostgreSQL-protocol database (PostgreSQL, Citus, YugabyteDB, Redshift).
 * The connection string is in the environment variable `env`, never in the manifest.
 */
export interface SqlSourceOptions {
  env: string;
  /** A table or view ("schema.table"), or `query`, a SELECT whose columns the manifest names. */
  table?: string;
  query?: string;
  /** Redshift writes a date's day number with DATEDIFF; the rest of the family as PostgreSQL. */
  dialect: "postgres" | "redshift";
  /** Scoring writes segments back to this table (default customer_segments), see source/writeBack.ts. */
  segmentsTable: string;
}

/**
 * What a column is for.
 * - id: the customer id (transactions: the customer each row belongs to)
 * - numeric / categorical: clustering features
 * - label: optional gold-standard segment, used only for evaluation
 * - outcome: a binary outcome to predict (churn, campaign response): never a feature and never
 *   a gold standard; written {"role": "outcome", "positive": "Yes"} to name its positive value
 * - date, amount, quantity: transaction fields (date may also appear in a customer table)
 * - price: unit price; a transaction log without an amount column has amount = quantity × price
 * - invoice: order or invoice number, read as text for the cancellation rule (e.g. prefix "C")
 * - profile: numeric, shown in segment profiles but not clustered on (e.g. campaign responses)
 * - personal: names, e-mails, phones, addresses; read for validation, never published
 * - ignore: present in the file, not used
 */
export type ColumnRole =
  | "id"
  | "numeric"
  | "categorical"
  | "label"
  | "outcome"
  | "date"
  | "amount"
  | "quantity"
  | "price"
  | "invoice"
  | "profile"
  | "personal"
  | "ignore";

export const COLUMN_ROLES: readonly ColumnRole[] = [
  "id",
  "numeric",
  "categorical",
  "label",
  "outcome",
  "date",
  "amount",
  "quantity",
  "price",
  "invoice",
  "profile",
  "personal",
  "ignore"
];

/**
 * What a customer-table column measures, for the segment types (profile/segmentTypes.ts). Written
 * as a role, which also sets how the column is used: "spend", "deals", "purchases" and "recency"
 * are numeric features; "offers" is a profile column (0/1 campaign acceptances, not clustered);
 * "signup" is a date. The object form {"role": "numeric", "as": "offers"} picks both.
 * - spend: money spent on one product category (category lovers; total spend = value)
 * - deals: purchases made with a discount (discount seekers)
 * - purchases: purchase counts by channel; their sum is the base of the deal share
 * - offers: accepted campaign offers, 0/1 (discount seekers)
 * - recency: days since the customer's last purchase (inactive; churn risk)
 * - interval: the customer's usual days between purchases (churn risk, with recency)
 * - signup: the date the customer joined (new customers)
 */
export type ColumnTag = "spend" | "deals" | "purchases" | "offers" | "recency" | "interval" | "signup";

/** The role each tag implies when written as a role. */
export const TAG_ROLES: Readonly<Record<ColumnTag, ColumnRole>> = {
  spend: "numeric",
  deals: "numeric",
  purchases: "numeric",
  offers: "profile",
  recency: "numeric",
  interval: "numeric",
  signup: "date"
};

/** Thresholds of the segment types; every one can be set under "segmentTypes" in the manifest. */
export interface SegmentTypeOptions {
  /** High value: the top share of customers by CLV, else by monetary value or total spend (0.2). */
  highValueShare: number;
  /** Likely to churn: P(alive) from the value models below this (0.5). */
  aliveBelow: number;
  /** Likely to churn: a churn outcome's predicted probability at or above this (0.5). */
  churnAtLeast: number;
  /** Likely to churn without a model: recency beyond this many usual purchase intervals (2). */
  churnIntervals: number;
  /** Category lover: at least this share of spend in one spend column (0.5). */
  categoryShare: number;
  /** Discount seeker: deal or offer share above this percentile of customers (0.8). */
  discountPercentile: number;
  /** New: joined (or first bought) fewer than this many days ago (90). */
  newDays: number;
  /** Inactive: no purchase in at least this many days (180). */
  inactiveDays: number;
}

/** How a column's text is typed when read. */
export type ColumnType = "number" | "string" | "date";

export function typeOfRole(role: ColumnRole): ColumnType {
  switch (role) {
    case "numeric":
    case "amount":
    case "quantity":
    case "price":
    case "profile":
      return "number";
    case "date":
      return "date";
    default:
      return "string";
  }
}

export interface PrepareOptions {
  /** Missing values: impute (median for numbers, mode for categories) or drop the row. */
  missing: "median" | "drop";
  /** Outlier rule. */
  outlierRule: "iqr" | "zscore";
  /** IQR multiplier (1.5) or z-score threshold (3). */
  outlierThreshold?: number;
  /** What to do with outliers: keep (flag and count only), cap to the fence, or drop the row. */
  outliers: "keep" | "cap" | "drop";
  /** log1p transform: "none", "skewed" (numeric columns with skewness > 1), or "all". */
  transform: "none" | "log1p" | "skewed";
  /** Feature scaling. */
  scale: "zscore" | "minmax" | "robust" | "none";
}

/** An algorithm of the registry (registry/algorithms.ts), e.g. "kmeans". */
export type ExperimentAlgorithm = string;

/**
 * Per algorithm, its parameters as the registry declares them: a list of values for a grid axis
 * (k: [3, 4, 5]; linkage: ["ward"]), one value for a shared setting (nInit: 4).
 */
export type AlgorithmGrid = Partial<Record<string, Partial<Record<string, number | string | Array<number | string>>>>>;

export interface ExperimentOptions {
  seed: number;
  /** Algorithms and parameter grids; omitted algorithms use the default grid. */
  grid?: AlgorithmGrid;
  /** Only these algorithms (default: all four). */
  algorithms?: ExperimentAlgorithm[];
  /**
   * Rule to pick the recommended run (see experiment/recommend.ts). `algorithm` and `k` restrict
   * the choice to the matching runs; the rule then picks among them.
   */
  recommend?: {
    metric?: RankingMetric;
    /** Fewest and most segments a recommended run may have (default [3, 8]). */
    kRange?: [number, number];
    minSegmentShare?: number;
    /** Least bootstrap mean Jaccard of every segment (default 0.75). */
    minStability?: number;
    algorithm?: ExperimentAlgorithm;
    k?: number;
  };
  /** Snapshot date for transaction features (YYYY-MM-DD); default: day after the last transaction. */
  snapshot?: string;
}

export interface DatasetEntry {
  /** URL-safe name, the key in the manifest (route parameter). */
  name: string;
  title: string;
  description: string;
  /** Attribution: where the data comes from and its licence. */
  source?: string;
  kind: DatasetKind;
  /** Path relative to data/; "" for a SQL source. */
  file: string;
  /** "sql" when the data is in a database (`sql`). */
  format: FileFormat | "sql";
  /** The database table or query, when the data is not a file. */
  sql?: SqlSourceOptions;
  /** Column name in the file → role. Columns of the file not listed are ignored. */
  columns: Record<string, ColumnRole>;
  /** Date format for date columns, e.g. "YYYYMMDD", "DD-MM-YYYY", "YYYY-MM-DD". */
  dateFormat?: string;
  /** Field values read as missing (default: [""]). */
  missingValues?: string[];
  /** Header row present (default true). */
  header?: boolean;
  /** Text encoding of the file (default UTF-8; anything else must be declared). */
  encoding?: Encoding;
  /**
   * Columns of the file not named in `columns`: "ignore" (default when `columns` is given) or
   * "infer" their roles from their values (default when it is not; see io/inferRoles.ts).
   */
  otherColumns?: "ignore" | "infer";
  /** Transaction logs: which rows cancel an earlier purchase (see features/rfm.ts). */
  cancellations?: CancellationRule;
  /**
   * The column with role "outcome" and its positive value (inferred for 1/0, yes/no, true/false
   * when absent). `churn`: the outcome is the customer leaving, so its probability is a churn
   * risk (default: true when the column's name says churn, attrition or cancel).
   */
  outcome?: { column: string; positive?: string; churn?: boolean };
  /** Customer tables: what columns measure, for the segment types. */
  tags?: Record<string, ColumnTag>;
  /** Column name → the words pages use for it, e.g. {"MntWines": "wine"}. */
  display?: Record<string, string>;
  /** Thresholds of the segment types (defaults: DEFAULT_SEGMENT_TYPES). */
  segmentTypes?: SegmentTypeOptions;
  /** Transaction logs: the customer-base models (BG/NBD, Pareto/NBD, Gamma-Gamma) and CLV. */
  value?: ValueOptions;
  /** Earlier states of the data, for the Drift page and `npm run drift` (drift/snapshots.ts). */
  snapshots?: SnapshotOptions;
  /** How often the segmentation is reviewed: the Overview's "next review due" (default quarterly). */
  refresh: Cadence;
  prepare: PrepareOptions;
  experiment: ExperimentOptions;
}

export type Cadence = "monthly" | "quarterly" | "yearly";
export const CADENCES: readonly Cadence[] = ["monthly", "quarterly", "yearly"];

/**
 * Snapshots of a dataset, compared pair by pair in date order.
 * - dates (transaction logs): the log's customers as of each date (the first day not observed);
 * - cadence (transaction logs): the first days of each month, quarter or year up to the report's
 *   snapshot, the last `last` of them (and the report's snapshot when it is not one of them);
 * - files (customer tables): files of the same layout, each with the date it describes; the
 *   dataset's own file is the latest.
 */
export type SnapshotOptions =
  | { kind: "dates"; dates: string[] }
  | { kind: "cadence"; cadence: Cadence; last: number }
  | { kind: "files"; files: Array<{ date: string; file: string }> };

/**
 * Settings of the value models (loaders/value). Without calibrationEnd the report holds out the
 * last third of the log to validate the models, then refits on all of it for the customers'
 * values; the CLI without --calibration-end fits on the whole log.
 */
export interface ValueOptions {
  /** Time unit of the models: "week" (default, as Fader & Hardie) or "day". */
  period: "day" | "week";
  /** Last day of the calibration period, YYYY-MM-DD (inclusive). */
  calibrationEnd?: string;
  /** Last day of the holdout period, YYYY-MM-DD (inclusive; default: the log's last day). */
  holdoutEnd?: string;
  /** CLV horizon in periods (default: one year, 52 weeks or 365 days). */
  horizon?: number;
  /** Share of revenue that is margin, (0, 1] (default 1: the CLV is revenue). */
  margin: number;
  /** Annual discount rate (default 0.1). */
  annualDiscountRate: number;
}

/** Rows that are cancellations: an invoice number with this prefix, and/or a negative quantity. */
export interface CancellationRule {
  invoicePrefix?: string;
  negativeQuantity?: boolean;
}

export interface Manifest {
  datasets: DatasetEntry[];
}
