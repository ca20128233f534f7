import { reportArchive } from "../../loaders/report/report.ts";
const t0 = performance.now();
let last = t0;
const name = process.argv[2];
reportArchive(name, (m) => {
  const now = performance.now();
  process.stderr.write(`${((now - t0) / 1000).toFixed(1)}s (+${((now - last) / 1000).toFixed(1)}) ${m}\n`);
  last = now;
});
process.stderr.write(`total ${((performance.now() - t0) / 1000).toFixed(1)}s\n`);
