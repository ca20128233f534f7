/** The report pages of every dataset, in sidebar order (src/[dataset]/<path>.md). */
export const REPORT_PAGES = [{ path: "", title: "Overview" }] as const;
