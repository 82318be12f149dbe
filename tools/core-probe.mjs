// node tools/core-probe.mjs [ITERATIONS]: seconds of a fixed integer loop with eight independent
// chains, after a warm-up, printed on one line. tools/bench-pairs.ts runs it pinned to each vCPU
// (taskset) before every run it times. Eight chains keep several execution units busy, as the
// explorer's code does, so it reads slower on a vCPU that runs the explorer slower; a loop of one
// dependent chain did not show that on the VM where both were measured (docs/performance.md,
// "The two vCPUs are not equal").
function chains(n) {
  let a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8;
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 3) + i) | 0; b = (Math.imul(b, 5) + i) | 0; c = (Math.imul(c, 7) + i) | 0; d = (Math.imul(d, 9) + i) | 0;
    e ^= e >>> 3; f = (f + (f << 1)) | 0; g ^= i; h = (h + i) | 0;
  }
  return a ^ b ^ c ^ d ^ e ^ f ^ g ^ h;
}
const n = Number(process.argv[2] ?? 3e8);
if (!Number.isSafeInteger(n) || n < 1) {
  process.stderr.write(`core-probe: ITERATIONS expects a positive integer, got "${process.argv[2]}"\n`);
  process.exit(2);
}
for (let i = 0; i < 50; i++) chains(1e5);
const t0 = performance.now();
const x = chains(n);
process.stdout.write(`${((performance.now() - t0) / 1000).toFixed(3)} ${x & 1}\n`);
