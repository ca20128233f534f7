/**
 * From purchases to what the customer-base models see, per customer of the calibration cohort:
 *
 * - a purchase is a customer-day (rows of one customer on one day are merged here as well, their
 *   amounts summed, and counted in `mergedRows`);
 * - x = repeat purchases in the calibration period = distinct purchase days up to and including
 *   calibrationEnd, minus one;
 * - tx = (last calibration purchase − first purchase) / periodDays, T = (calibrationEnd − first
 *   purchase) / periodDays: a purchase on day d happens at time d, so a customer who started
 *   on calibrationEnd has T = 0;
 * - meanRepeatSpend = mean amount of the calibration repeat purchases (the first purchase left
 *   out, 0 when x = 0), as Fader & Hardie and lifetimes' summary_data_from_transaction_data;
 * - holdout = purchases in (calibrationEnd, holdoutEnd], all repeats for this cohort.
 *
 * The cohort is everyone whose first purchase is on or before calibrationEnd; later starters
 * (and customer ids with no purchase) are left out and counted. Purchases after holdoutEnd
 * (after calibrationEnd without a holdout) are ignored and counted.
 *
 * For the cumulative repeat-purchase curve (BG/NBD paper, Figure 2) the summary also keeps the
 * cohort's repeat purchases per period, periods counted from the cohort's first purchase day,
 * and the number of cohort customers starting on each day.
 */
import { WorkbenchError } from "../errors.ts";
import type { Purchases } from "../features/rfm.ts";

// Declared once, in loaders/features/rfm.ts (customerFeatures builds it); re-exported for the
// modules of loaders/value that already import it from here.

export interface SummaryOptions {
  /** Last day of the calibration period (inclusive). */
  calibrationEnd: number;
  /** Last day of the holdout period (inclusive); none when absent. */
  holdoutEnd?: number;
  /** Length of a period in days: 1 (days) or 7 (weeks). */
  periodDays: 1 | 7;
  /** Number of customer ids C (default: largest index + 1). */
  customers?: number;
}

export interface RepeatCurve {
  /** Day period 0 starts on: the cohort's earliest first purchase. */
  startDay: number;
  /** Periods covered, through holdoutEnd (calibrationEnd without a holdout); the last may be partial. */
  periods: number;
  /** Calibration length in periods from startDay, (calibrationEnd − startDay + 1) / periodDays. */
  calibrationPeriods: number;
  /** Cohort repeat purchases in each period. */
  repeatPurchases: Float64Array;
  /** Distinct first-purchase days of the cohort and how many customers started on each. */
  firstDays: Int32Array;
  firstDayCustomers: Float64Array;
}

export interface CustomerSummary {
  periodDays: 1 | 7;
  calibrationEnd: number;
  holdoutEnd: number | null;
  /** Holdout length in periods, (holdoutEnd − calibrationEnd) / periodDays; null without a holdout. */
  holdoutPeriods: number | null;
  /** Cohort customers, in customer-index order: the input index of each. */
  customer: Int32Array;
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  meanRepeatSpend: Float64Array;
  firstDay: Int32Array;
  /** Holdout purchases per cohort customer; null without a holdout. */
  holdout: Float64Array | null;
  excluded: {
    /** Customers whose first purchase is after calibrationEnd. */
    firstAfterCalibration: number;
    /** Customer ids without any purchase. */
    noPurchases: number;
  };
  /** Rows merged into another of the same customer and day. */
  mergedRows: number;
  /** Purchases (customer-days) after the last day used. */
  purchasesAfterEnd: number;
  curve: RepeatCurve;
}

export function summarizePurchases(purchases: Purchases, options: SummaryOptions): CustomerSummary {
  const { customer, day, amount } = purchases;
  const rows = customer.length;
  const { calibrationEnd, periodDays } = options;
  const holdoutEnd = options.holdoutEnd ?? null;
  validate(purchases, options);
  let maxCustomer = -1, minDay = Infinity, maxDay = -Infinity;
  for (let i = 0; i < rows; i++) {
    if (customer[i] > maxCustomer) maxCustomer = customer[i];
    if (day[i] < minDay) minDay = day[i];
    if (day[i] > maxDay) maxDay = day[i];
  }
  const C = options.customers ?? maxCustomer + 1;
  if (maxCustomer >= C) {
    throw new WorkbenchError("a purchase names a customer outside the customer list", {
      column: "customer", found: String(maxCustomer), expected: `an index below ${C}`
    });
  }
  const order = sortByCustomerDay(customer, day, C, rows ? minDay : 0, rows ? maxDay : 0);
  const lastDay = holdoutEnd ?? calibrationEnd;

  // Per-day histograms (over minDay..maxDay) for the curve: repeat purchases and first purchases.
  const span = rows ? maxDay - minDay + 1 : 0;
  const repeatByDay = new Float64Array(span);
  const firstByDay = new Float64Array(span);
  // Cohort columns, filled up to `size` and trimmed at the end.
  const cohort = new Int32Array(C), firsts = new Int32Array(C);
  const xs = new Float64Array(C), txs = new Float64Array(C), Ts = new Float64Array(C), spends = new Float64Array(C), holds = new Float64Array(C);
  let size = 0;
  let firstAfterCalibration = 0, noPurchases = 0, mergedRows = 0, purchasesAfterEnd = 0;
  let startDay = Infinity;
  // Scratch: one customer's purchases (distinct days, summed amounts).
  const pDay = new Int32Array(rows);
  const pSpend = new Float64Array(rows);
  let start = 0;
  for (let c = 0; c < C; c++) {
    // Rows of customer c are order[start..end), sorted by day.
    let end = start;
    while (end < rows && customer[order[end]] === c) end++;
    if (end === start) {
      noPurchases++;
      continue;
    }
    let m = 0;
    for (let k = start; k < end; k++) {
      const i = order[k];
      if (m > 0 && day[i] === pDay[m - 1]) {
        pSpend[m - 1] += amount[i];
        mergedRows++;
      } else {
        pDay[m] = day[i];
        pSpend[m] = amount[i];
        m++;
      }
    }
    start = end;
    const first = pDay[0];
    if (first > calibrationEnd) {
      firstAfterCalibration++;
      continue;
    }
    let calibration = 0, lastCalibration = first, repeatSpend = 0, holdout = 0;
    for (let k = 0; k < m; k++) {
      const d = pDay[k];
      if (d <= calibrationEnd) {
        calibration++;
        lastCalibration = d;
        if (k > 0) repeatSpend += pSpend[k];
      } else if (d <= lastDay) {
        holdout++;
      } else {
        purchasesAfterEnd++;
        continue;
      }
      if (k > 0) repeatByDay[d - minDay]++;
    }
    const x = calibration - 1;
    cohort[size] = c;
    xs[size] = x;
    txs[size] = (lastCalibration - first) / periodDays;
    Ts[size] = (calibrationEnd - first) / periodDays;
    spends[size] = x > 0 ? repeatSpend / x : 0;
    firsts[size] = first;
    holds[size] = holdout;
    size++;
    firstByDay[first - minDay]++;
    if (first < startDay) startDay = first;
  }

  if (!size) startDay = calibrationEnd;
  const periods = Math.max(0, Math.ceil((lastDay - startDay + 1) / periodDays));
  const repeatPurchases = new Float64Array(periods);
  for (let d = Math.max(startDay, minDay); d <= Math.min(lastDay, maxDay); d++) {
    repeatPurchases[Math.floor((d - startDay) / periodDays)] += repeatByDay[d - minDay];
  }
  const firstDays: number[] = [], firstDayCustomers: number[] = [];
  for (let k = 0; k < span; k++) {
    if (firstByDay[k] > 0) {
      firstDays.push(minDay + k);
      firstDayCustomers.push(firstByDay[k]);
    }
  }
  return {
    periodDays,
    calibrationEnd,
    holdoutEnd,
    holdoutPeriods: holdoutEnd === null ? null : (holdoutEnd - calibrationEnd) / periodDays,
    customer: cohort.slice(0, size),
    x: xs.slice(0, size),
    tx: txs.slice(0, size),
    T: Ts.slice(0, size),
    meanRepeatSpend: spends.slice(0, size),
    firstDay: firsts.slice(0, size),
    holdout: holdoutEnd === null ? null : holds.slice(0, size),
    excluded: { firstAfterCalibration, noPurchases },
    mergedRows,
    purchasesAfterEnd,
    curve: {
      startDay,
      periods,
      calibrationPeriods: (calibrationEnd - startDay + 1) / periodDays,
      repeatPurchases,
      firstDays: Int32Array.from(firstDays),
      firstDayCustomers: Float64Array.from(firstDayCustomers)
    }
  };
}

/**
 * Row order sorted by (customer, day): the identity when the rows already are (a common
 * layout), else a counting sort by day, then a stable one by customer.
 */
function sortByCustomerDay(customer: Int32Array, day: Int32Array, C: number, minDay: number, maxDay: number): Int32Array {
  const n = customer.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) {
    sorted = customer[i] > customer[i - 1] || (customer[i] === customer[i - 1] && day[i] >= day[i - 1]);
  }
  if (sorted) {
    const identity = new Int32Array(n);
    for (let i = 0; i < n; i++) identity[i] = i;
    return identity;
  }
  const byDay = new Int32Array(n);
  const dayCounts = new Int32Array(maxDay - minDay + 2);
  for (let i = 0; i < n; i++) dayCounts[day[i] - minDay + 1]++;
  for (let k = 1; k < dayCounts.length; k++) dayCounts[k] += dayCounts[k - 1];
  for (let i = 0; i < n; i++) byDay[dayCounts[day[i] - minDay]++] = i;
  const order = new Int32Array(n);
  const counts = new Int32Array(C + 1);
  for (let i = 0; i < n; i++) counts[customer[i] + 1]++;
  for (let k = 1; k <= C; k++) counts[k] += counts[k - 1];
  for (let k = 0; k < n; k++) {
    const i = byDay[k];
    order[counts[customer[i]]++] = i;
  }
  return order;
}

function validate(p: Purchases, o: SummaryOptions): void {
  const n = p.customer.length;
  if (p.day.length !== n || p.amount.length !== n) {
    throw new WorkbenchError("purchase columns differ in length", {
      found: `${n} customers, ${p.day.length} days, ${p.amount.length} amounts`, expected: "one of each per purchase"
    });
  }
  if (o.periodDays !== 1 && o.periodDays !== 7) {
    throw new WorkbenchError("invalid parameter periodDays", { found: String(o.periodDays), expected: "1 (days) or 7 (weeks)" });
  }
  if (!Number.isInteger(o.calibrationEnd)) {
    throw new WorkbenchError("invalid parameter calibrationEnd", { found: String(o.calibrationEnd), expected: "a whole day number" });
  }
  if (o.holdoutEnd !== undefined && !(Number.isInteger(o.holdoutEnd) && o.holdoutEnd > o.calibrationEnd)) {
    throw new WorkbenchError("invalid parameter holdoutEnd", {
      found: String(o.holdoutEnd), expected: "a whole day number after calibrationEnd",
      hint: "Leave holdoutEnd out to fit on all purchases up to calibrationEnd without a holdout check"
    });
  }
  for (let i = 0; i < n; i++) {
    if (p.customer[i] < 0) {
      throw new WorkbenchError(`purchase ${i} has a negative customer index`, { column: "customer", found: String(p.customer[i]) });
    }
    if (!Number.isFinite(p.amount[i])) {
      throw new WorkbenchError(`purchase ${i} has no usable amount`, { column: "amount", found: String(p.amount[i]), expected: "a finite number" });
    }
  }
}
