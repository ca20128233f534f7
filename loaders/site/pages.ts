/** The report pages of every dataset, in sidebar order (src/[dataset]/<file>.md). */
export const REPORT_PAGES = [
  { path: "", title: "Overview" },
  { path: "segments", title: "Segments" },
  { path: "compare", title: "Compare algorithms" },
  { path: "evaluation", title: "Evaluation" },
  { path: "experiments", title: "Experiments" }
] as const;
