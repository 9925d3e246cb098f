import { kernelCounts, type KernelCounts } from './backend-counts.ts';
import { exampleCount, kernelLabel, sizeLabel, type BenchKernel, type BenchSize } from './backend-jobs.ts';
import { innerLoopMultiplyAdds } from './backend-loops.ts';
import { describeCaches, formatBytes } from './backend-machine.ts';
import { PEAK_ACCUMULATORS, PEAK_LENGTH } from './backend-peak.ts';
import type { KernelTiming } from './backend-timing.ts';
import type { BackendBenchResults, InnerLoopRow, ThroughputRow, WebGpuCell } from './backend-throughput.ts';

/** Target 1: the inner loop reaches this share of one core's multiply-add peak. */
export const INNER_LOOP_TARGET = 0.5;
/** Target 2: all cores reach this share of perfect scaling, which is 1.7× one core on 2 cores. */
export const SCALING_TARGET = 0.85;
/**
 * Share of the machine's cores that this process and the others must keep
 * busy for a run to count as saturated. It is below 1 because /proc/stat
 * counts in 10 ms ticks and threads leave short gaps even on a full machine.
 */
const SATURATED_SHARE = 0.9;
/**
 * Relative difference of the mean per-prompt value above which the page
 * reports WebGPU and CPU as disagreeing. Float32 rounding of sums over
 * n ≤ 1024 terms moves a prompt's value by about n·2^−24 ≤ 6·10^−5 relative,
 * so 10^−3 flags only a kernel that computes something else.
 */
const AGREEMENT_TOLERANCE = 1e-3;

/** Renders the section body: method, throughput, WebGPU, roofline, time breakdown and targets. */
export function renderBackendThroughput(results: BackendBenchResults): string {
  return [
    renderMethod(results),
    renderThroughput(results),
    renderWebGpu(results),
    renderRoofline(results),
    renderBreakdown(results),
    renderTargets(results),
  ].join('\n\n');
}

function renderMethod(results: BackendBenchResults): string {
  const { plan } = results;
  return [
    'Throughput is in **prompt-tokens per second**: prompts × n divided by the wall-clock seconds of one `Backend.risk` or `Backend.scan` call.',
    'A call samples every prompt (Philox4x32-10 and Box–Muller) and runs the kernel; on WebGPU it also uploads the inputs and reads the results back.',
    `Each prompt count comes from pilot runs that start at one prompt and grow until a run takes ${plan.cpu.pilotSeconds} s;`,
    `the timed run then uses the count that the last pilot's rate predicts for ${plan.cpu.targetSeconds} s on the CPU and ${plan.webgpu.targetSeconds} s on WebGPU,`,
    `and at most 80% of the ${results.maxSeconds} s limit. A timed run shorter than half the target, because load from other processes eased after the pilots, is repeated up to twice at the count its own rate predicts.`,
    'A one-prompt run comes first as the warm-up; it and the pilot runs start the worker threads, compile the GPU pipelines and let V8 optimise the kernels.',
    `"CPU 1 core" runs the float64 kernels in the calling thread (\`workers: 1\`); "CPU ${results.workers} workers" runs them on one worker thread per core (\`os.availableParallelism()\`).`,
    'Jobs: Σ = diag(λ) with λ geometric from 0.5 to 2, ρ = 0.9, −0.5, 0.7, σ² = 0.25 and P = I; RISK with ω_i = 1/n; the scan with every gate 0.999.',
    'The kernels have no branch that depends on these values, so they set only what is computed, not how long it takes.',
    `The 1-minute load average was ${results.loadAverage.start.toFixed(2)} when the section started and ${results.loadAverage.end.toFixed(2)} when it ended; other processes on the machine slow every measurement down.`,
  ].join('\n');
}

function renderThroughput(results: BackendBenchResults): string {
  const lines = [
    '### Throughput',
    '',
    '| kernel | size | backend | prompts | seconds | prompt-tokens/s | vs CPU 1 core | cores busy | other processes\' cores |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of results.rows) {
    const base = row.oneCore.kind === 'measured' ? row.oneCore.tokensPerSecond : null;
    const prefix = `| ${kernelLabel(row.kernel)} | ${sizeLabel(row.size)}`;
    lines.push(`${prefix} | CPU 1 core | ${timingCells(row.oneCore, base)} |`);
    lines.push(`${prefix} | CPU ${results.workers} workers | ${timingCells(row.allCores, base)} |`);
    lines.push(`${prefix} | WebGPU | ${webGpuCells(row.webgpu, base)} |`);
  }
  lines.push(
    '',
    '"Cores busy" is the CPU time of the whole process (all threads, user and system) during the timed run divided by its wall-clock time.',
    `Below ${results.workers} for "CPU ${results.workers} workers" it means the workers waited: for the calling thread, or for cores that other processes held.`,
    '"Other processes\' cores" is the same for everything else on the machine: its busy time from /proc/stat minus this process\'s CPU time.',
    '',
    describeDeterminism(results.rows),
  );
  return lines.join('\n');
}

/** Returns the table cells prompts, seconds, prompt-tokens/s, ratio to CPU 1 core and cores busy. */
function timingCells(timing: KernelTiming, base: number | null): string {
  if (timing.kind === 'timed-out') return [String(timing.prompts), `> ${timing.limitSeconds} (stopped)`, '', '', '', ''].join(' | ');
  const ratio = base === null ? '' : `${(timing.tokensPerSecond / base).toFixed(2)}×`;
  const busy = (timing.cpuSeconds / timing.seconds).toFixed(2);
  const others = timing.otherCpuSeconds === null ? 'unknown' : (timing.otherCpuSeconds / timing.seconds).toFixed(2);
  return [String(timing.prompts), timing.seconds.toFixed(2), formatRate(timing.tokensPerSecond), ratio, busy, others].join(' | ');
}

function webGpuCells(cell: WebGpuCell, base: number | null): string {
  if (cell.kind === 'failed') return ['failed', '', '', '', '', ''].join(' | ');
  if (cell.kind === 'skipped') return ['not measured', '', '', '', '', ''].join(' | ');
  return timingCells(cell, base);
}

function describeDeterminism(rows: readonly ThroughputRow[]): string {
  const compared = rows.filter((row) => row.sameOutputs !== null);
  const different = compared.filter((row) => row.sameOutputs === false);
  if (compared.length === 0) return 'No row has both CPU measurements, so their outputs were not compared.';
  if (different.length === 0) {
    return `In all ${compared.length} compared rows the all-core outputs equal the one-core outputs bit for bit on the prompts both ran, as the CPU backend promises for any worker count.`;
  }
  const where = different.map((row) => `${kernelLabel(row.kernel)} at ${sizeLabel(row.size)}`).join('; ');
  return `**The all-core outputs differ from the one-core outputs** on common prompts in ${different.length} of ${compared.length} rows (${where}), although the CPU backend promises the same bits for any worker count.`;
}

function renderWebGpu(results: BackendBenchResults): string {
  const heading = '### WebGPU';
  const status = results.webgpu;
  if (status.kind === 'unavailable') {
    return `${heading}\n\nWebGPU was not measured: ${status.reason}\nThe CPU numbers above and below do not depend on it.`;
  }
  const verdict = status.software
    ? 'This adapter runs the shaders in software on the CPU cores, so only correctness counts there: its numbers are shown without a target verdict and say nothing about a GPU.'
    : 'No throughput target is set for WebGPU; its numbers are for reference.';
  const lines = [heading, '', `Adapter: ${status.description}.`, verdict];
  const failures = results.rows.filter((row) => row.webgpu.kind === 'failed' || row.webgpu.kind === 'skipped');
  if (failures.length > 0) lines.push('');
  for (const row of failures) {
    const cell = row.webgpu;
    if (cell.kind === 'failed') lines.push(`- ${kernelLabel(row.kernel)}, ${sizeLabel(row.size)}: failed: ${cell.message}`);
    if (cell.kind === 'skipped') lines.push(`- ${kernelLabel(row.kernel)}, ${sizeLabel(row.size)}: ${cell.reason}.`);
  }
  lines.push(...renderAgreement(results.rows));
  return lines.join('\n');
}

function renderAgreement(rows: readonly ThroughputRow[]): string[] {
  const measured = rows.flatMap((row) => (row.webgpu.kind === 'measured' ? [{ row, agreement: row.webgpu.agreement }] : []));
  if (measured.length === 0) return [];
  const lines = [
    '',
    'Same-prompt check: the mean per-prompt value (the loss for RISK, (y − ŷ_gla)² for the scan) over the prompts that WebGPU and CPU 1 core both ran.',
    `Float32 rounding moves it by about n·2^−24 relative; a difference above ${AGREEMENT_TOLERANCE} would mean the kernels compute different things.`,
    '',
    '| kernel | size | prompts | WebGPU (float32) | CPU (float64) | relative difference |',
    '|---|---|---|---|---|---|',
  ];
  for (const { row, agreement } of measured) {
    const relative = Math.abs(agreement.webgpuMean - agreement.cpuMean) / Math.abs(agreement.cpuMean);
    const flag = relative > AGREEMENT_TOLERANCE ? ' **disagree**' : '';
    lines.push(
      `| ${kernelLabel(row.kernel)} | ${sizeLabel(row.size)} | ${agreement.prompts} | ${agreement.webgpuMean.toPrecision(7)} | ${agreement.cpuMean.toPrecision(7)} | ${relative.toExponential(1)}${flag} |`,
    );
  }
  return lines;
}

function renderRoofline(results: BackendBenchResults): string {
  const { peak, plan } = results;
  const runs = peak.rates.map((rate) => (rate / 1e9).toFixed(2)).join(', ');
  const method = [
    '### Roofline (CPU)',
    '',
    `**One core's float64 multiply-add peak: ${(peak.best / 1e9).toFixed(2)} GFMA/s**, the best of ${plan.repeats} runs (${runs} GFMA/s) of at least ${plan.repeatSeconds} s each`,
    `of \`s_j += a·x[i + j]\` with ${PEAK_ACCUMULATORS} independent accumulators over a ${PEAK_LENGTH}-entry Float64Array (${formatBytes(8 * PEAK_LENGTH)}), in the calling thread.`,
    'V8 compiles each `s += a·x` to a multiply and an add (it emits no fused multiply-add) and compiles the kernels the same way, so GFMA counts multiply-add pairs on both sides.',
  ];
  return [...method, '', renderCounts(results), '', renderMemory(results), '', renderRoofTable(results)].join('\n');
}

interface SizedKernel {
  readonly kernel: BenchKernel;
  readonly size: BenchSize;
}

function sizedKernels(results: BackendBenchResults): SizedKernel[] {
  return results.plan.sizes.flatMap((size) => results.plan.kernels.map((kernel) => ({ kernel, size })));
}

function renderCounts(results: BackendBenchResults): string {
  const lines = [
    'Counts per prompt-token (per prompt ÷ n), read off the kernels in src/backend/cpu-kernels.ts and the sampler in src/backend/philox.ts:',
    '',
    '- normals: d per example (features) and 1 (noise ξ_i), plus d query features, d + K·d task normals and ξ once per prompt;',
    '- Philox: each block of 10 rounds gives four normals; a round has two 32×32→64-bit products (one `Math.imul` for the low word, four float64 operations for the high word) and four XORs;',
    '- Box–Muller: one `Math.log`, `Math.sqrt`, `Math.cos` and `Math.sin` per pair of normals, so 8 calls per block;',
    '- multiply-adds: the label x_iᵀβ^{(k(i))} + σξ_i (d + 1 per example), the inner loop (RISK: g += (ω_i y_i) x_i, d per example; scan: s ← γ ⊙ s + x_i y_i and g += ω ⊙ x_i y_i, 2d per example),',
    '  and per prompt the block tasks (K·d), the query label (d + 1) and xᵀ P g (d² + d, twice for the scan);',
    '- multiplies without an add: √λ_c·z per feature, ω_i·y_i (RISK) or x_{i,c}·y_i (scan), ρ_k·β_c and the query gate;',
    '- loop bytes: every float64 (8 bytes) and int32 (4 bytes) that the loops read or write, whatever cache serves it; the inner loops keep a block of state columns in local variables over a chunk of examples, and the vector-gated scan loads each gate and weight once for two prompts, so these count half per prompt;',
    '- working set: the arrays one worker touches at a time, two prompts\' scratch for the vector-gated scan.',
    '',
    '| kernel | size | normals | Philox blocks | 64-bit products | XORs | log, sqrt, cos, sin | multiply-adds (label + loop + per prompt) | multiplies | loop bytes | result bytes per prompt | working set |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { kernel, size } of sizedKernels(results)) {
    const counts = kernelCounts(kernel, size);
    const n = exampleCount(size);
    const perToken = (value: number) => (value / n).toFixed(2);
    const adds = counts.multiplyAdds;
    lines.push(
      `| ${kernelLabel(kernel)} | ${sizeLabel(size)} | ${perToken(counts.normals)} | ${perToken(counts.philoxBlocks)} | ${perToken(counts.philoxProducts)} | ${perToken(counts.philoxXors)} | ` +
        `${perToken(counts.transcendentals)} | ${perToken(adds.total)} (${perToken(adds.label)} + ${perToken(adds.accumulation)} + ${perToken(adds.perPrompt)}) | ` +
        `${perToken(counts.multiplies)} | ${perToken(counts.loopBytes)} | ${counts.outputBytes} | ${formatBytes(counts.workingSetBytes)} |`,
    );
  }
  return lines.join('\n');
}

/** States why memory bandwidth does not bound the kernels: the bytes that leave a worker per second at the measured rates. */
function renderMemory(results: BackendBenchResults): string {
  let largestSet = 0;
  let fastestOutput = 0;
  for (const row of results.rows) {
    const counts = kernelCounts(row.kernel, row.size);
    largestSet = Math.max(largestSet, counts.workingSetBytes);
    for (const timing of [row.oneCore, row.allCores]) {
      if (timing.kind !== 'measured') continue;
      fastestOutput = Math.max(fastestOutput, (timing.tokensPerSecond / exampleCount(row.size)) * counts.outputBytes);
    }
  }
  return [
    'Per prompt, only its result leaves a worker: 8 bytes for RISK and 24 for the scan, while the inputs are read once per prompt range.',
    `The largest working set above is ${formatBytes(largestSet)}, against core 0's caches of ${describeCaches(results.caches)} (from sysfs, not measured).`,
    `At the fastest measured rate the results take ${(fastestOutput / 1e6).toFixed(2)} MB/s, orders of magnitude below any memory bandwidth,`,
    'so the loop bytes are served by the caches and the roof of these kernels is the compute roof.',
  ].join('\n');
}

function renderRoofTable(results: BackendBenchResults): string {
  const peak = results.peak.best;
  const lines = [
    `The roof counts only the model's multiply-adds: tokens/s ≤ peak ÷ (multiply-adds per token), and ${results.workers} times that for ${results.workers} workers (assuming every core reaches the measured peak).`,
    "Sampling (Philox's products and XORs, Box–Muller's log, sqrt, cos and sin) has no multiply-add equivalent and is left out, so the roof is an upper bound that the kernels cannot reach; the next table shows where the time goes.",
    '',
    `| kernel | size | multiply-adds per token | roof, 1 core | CPU 1 core | 1 core ÷ roof | CPU ${results.workers} workers ÷ roof |`,
    '|---|---|---|---|---|---|---|',
  ];
  for (const row of results.rows) {
    const perToken = kernelCounts(row.kernel, row.size).multiplyAdds.total / exampleCount(row.size);
    const roof = peak / perToken;
    const one = row.oneCore.kind === 'measured' ? row.oneCore.tokensPerSecond : null;
    const all = row.allCores.kind === 'measured' ? row.allCores.tokensPerSecond : null;
    lines.push(
      `| ${kernelLabel(row.kernel)} | ${sizeLabel(row.size)} | ${perToken.toFixed(2)} | ${formatRate(roof)} | ${one === null ? 'stopped' : formatRate(one)} | ` +
        `${one === null ? '' : formatPercent(one / roof)} | ${all === null ? '' : formatPercent(all / (results.workers * roof))} |`,
    );
  }
  return lines.join('\n');
}

function renderBreakdown(results: BackendBenchResults): string {
  const lines = [
    '### Where one core\'s time goes (RISK)',
    '',
    'Nanoseconds per prompt-token on one core: the whole kernel call (from the throughput table), sampling alone',
    '(PromptSampler.begin and examples for the same prompts, the calls the kernel makes) and the inner loop alone (from its rate in target 1).',
    '',
    '| size | kernel call | sampling alone | inner loop | sampling ÷ kernel call |',
    '|---|---|---|---|---|',
  ];
  for (const sampling of results.sampling) {
    const row = results.rows.find((candidate) => candidate.size === sampling.size && candidate.kernel === 'risk');
    const loop = results.innerLoops.find((candidate) => candidate.size === sampling.size && candidate.kernel === 'risk');
    const kernelNs = row?.oneCore.kind === 'measured' ? 1e9 / row.oneCore.tokensPerSecond : null;
    const samplingNs = 1e9 / sampling.tokensPerSecond;
    const loopNs = loop === undefined ? null : (1e9 * sampling.size.d) / loop.rate.best;
    lines.push(
      `| ${sizeLabel(sampling.size)} | ${kernelNs === null ? 'stopped' : kernelNs.toFixed(1)} | ${samplingNs.toFixed(1)} (${sampling.prompts} prompts, ${sampling.seconds.toFixed(2)} s) | ` +
        `${loopNs === null ? '' : loopNs.toFixed(1)} | ${kernelNs === null ? '' : formatPercent(samplingNs / kernelNs)} |`,
    );
  }
  return lines.join('\n');
}

function renderTargets(results: BackendBenchResults): string {
  return ['### Targets', '', renderInnerLoopTarget(results), '', renderScalingTarget(results)].join('\n');
}

function renderInnerLoopTarget(results: BackendBenchResults): string {
  const { peak, plan } = results;
  const shares = results.innerLoops.map((row) => ({ row, share: row.rate.best / peak.best }));
  const met = shares.filter((entry) => entry.share >= INNER_LOOP_TARGET);
  const lines = [
    `**1. The CPU kernel's inner loop reaches at least ${INNER_LOOP_TARGET} of one core's multiply-add peak (${(peak.best / 1e9).toFixed(2)} GFMA/s).**`,
    'The inner loop is the accumulation over sampled features and labels. It is timed as a pass over one sampled chunk, not as kernel time minus sampling time,',
    `because sampling alone takes ${samplingShare(results)} of the RISK kernel call's time (table above), so kernel time minus sampling time is no larger than the few percent by which either timing varies.`,
    'The timed functions are the ones riskKernel and scanKernel call (accumulateRiskChunk, accumulateScanChunk for scalar gates and accumulateVectorScanPair for vector gates, in cpu-loops.ts), so the bench times the kernels\' own loops; tests/cpu-loops.test.ts checks that these blocked loops reproduce a plain per-example loop bit for bit.',
    'The vector-gated scan runs two prompts through the token loop together, so that each gate γ_{t,c} and weight ω_{t,c} is loaded once for both: one prompt at a time, the loop makes three loads per two multiply-adds, and reached 41% to 48% of the peak in trials.',
    `A pass runs the loop over every chunk offset of one prompt on the same chunk of sampled examples, which stays in L1 cache as the freshly sampled chunk does in the kernel.`,
    'The loop gets d and its arrays as arguments, as in the kernel: captured in a closure, V8 may fold them into constants, which made the same loop up to 2.5× faster in trials.',
    'The peak loop gets its arguments the same way;',
    `each rate is the best of ${plan.repeats} runs of at least ${plan.repeatSeconds} s.`,
    '',
    '| kernel | size | multiply-adds per example | inner loop | share of peak | met |',
    '|---|---|---|---|---|---|',
  ];
  for (const { row, share } of shares) {
    const perExample = innerLoopMultiplyAdds(row.kernel, row.size) / exampleCount(row.size);
    let verdict = share >= INNER_LOOP_TARGET ? 'yes' : '**no**';
    if (results.quick) verdict = '—';
    lines.push(
      `| ${kernelLabel(row.kernel)} | ${sizeLabel(row.size)} | ${perExample} | ${(row.rate.best / 1e9).toFixed(2)} GFMA/s | ${formatPercent(share)} | ${verdict} |`,
    );
  }
  const verdict = results.quick
    ? 'No verdict: a quick run times each loop and the peak for a few hundredths of a second, too short to judge them.'
    : innerLoopVerdict(shares.map((entry) => entry.share), met.length);
  lines.push('', verdict);
  return lines.join('\n');
}

/** Returns the range of sampling-alone time over kernel-call time across sizes, as text. */
function samplingShare(results: BackendBenchResults): string {
  const shares = results.sampling.flatMap((sampling) => {
    const row = results.rows.find((candidate) => candidate.size === sampling.size && candidate.kernel === 'risk');
    return row?.oneCore.kind === 'measured' ? [row.oneCore.tokensPerSecond / sampling.tokensPerSecond] : [];
  });
  if (shares.length === 0) return 'an unmeasured share';
  const low = formatPercent(Math.min(...shares));
  const high = formatPercent(Math.max(...shares));
  return low === high ? low : `${low} to ${high}`;
}

function innerLoopVerdict(shares: readonly number[], met: number): string {
  const range = `${formatPercent(Math.min(...shares))} to ${formatPercent(Math.max(...shares))} of the peak`;
  if (met === shares.length) return `**Met** in all ${shares.length} cases: the inner loops reach ${range}.`;
  if (met === 0) return `**Not met**: the inner loops reach ${range}, below the ${formatPercent(INNER_LOOP_TARGET)} asked, in all ${shares.length} cases.`;
  return `**Not met** in ${shares.length - met} of ${shares.length} cases: the inner loops reach ${range}, and ${formatPercent(INNER_LOOP_TARGET)} is asked.`;
}

/** Busy cores of this process and of all others during one all-core run that missed the scaling target. */
interface MissedRun {
  readonly own: number;
  readonly others: number | null;
}

function renderScalingTarget(results: BackendBenchResults): string {
  const { workers } = results;
  const needed = SCALING_TARGET * workers;
  const machine = workers === 2 ? '' : ` This machine has ${workers} cores, so ${needed.toFixed(2)}× is asked.`;
  const heading = `**2. The CPU backend with one worker per core reaches at least ${formatPercent(SCALING_TARGET)} of perfect scaling: ${(SCALING_TARGET * 2).toFixed(1)}× one core's throughput with 2 workers on 2 cores.**${machine}`;
  if (workers < 2) return `${heading}\n\nNot applicable: this machine has one core, so "all cores" is one core.`;

  const lines = [
    heading,
    '',
    `| kernel | size | CPU 1 core | CPU ${workers} workers | speedup | cores busy, ${workers} workers | other processes' cores | met |`,
    '|---|---|---|---|---|---|---|---|',
  ];
  const speedups: number[] = [];
  const missed: MissedRun[] = [];
  let unmeasured = 0;
  for (const row of results.rows) {
    if (row.oneCore.kind !== 'measured' || row.allCores.kind !== 'measured') {
      unmeasured += 1;
      lines.push(`| ${kernelLabel(row.kernel)} | ${sizeLabel(row.size)} | | | stopped at the limit | | | ${results.quick ? '—' : '**no**'} |`);
      continue;
    }
    const { allCores } = row;
    const speedup = allCores.tokensPerSecond / row.oneCore.tokensPerSecond;
    const own = allCores.cpuSeconds / allCores.seconds;
    const others = allCores.otherCpuSeconds === null ? null : allCores.otherCpuSeconds / allCores.seconds;
    speedups.push(speedup);
    const run = { own, others };
    if (speedup < needed) missed.push(run);
    const verdict = scalingVerdict(results.quick, speedup >= needed, saturated(run, workers));
    lines.push(
      `| ${kernelLabel(row.kernel)} | ${sizeLabel(row.size)} | ${formatRate(row.oneCore.tokensPerSecond)} | ${formatRate(allCores.tokensPerSecond)} | ` +
        `${speedup.toFixed(2)}× | ${own.toFixed(2)} | ${others === null ? 'unknown' : others.toFixed(2)} | ${verdict} |`,
    );
  }
  lines.push(
    '',
    'Busy cores are CPU time over wall time: this process from its own resource usage, other processes from /proc/stat, which counts in 10 ms ticks, so over runs of a fraction of a second the two columns can add up to more than the machine has.',
    '',
  );

  const range = speedups.length === 0 ? 'no speedup measured' : `speedups ${Math.min(...speedups).toFixed(2)}× to ${Math.max(...speedups).toFixed(2)}×`;
  if (results.quick) return [...lines, `No verdict: a quick run times each kernel for a few hundredths of a second, too short to judge scaling (${range}).`].join('\n');
  const total = speedups.length + unmeasured;
  const met = speedups.length - missed.length;
  if (met === total) return [...lines, `**Met** in all ${total} cases (${range}, ${needed.toFixed(2)}× asked).`].join('\n');
  const contended = missed.filter((run) => saturated(run, workers)).length;
  const notMet = total - met - contended;
  const parts = [
    ...(met > 0 ? [`met in ${met}`] : []),
    ...(notMet > 0 ? [`**not met** in ${notMet}`] : []),
    ...(contended > 0 ? [`no verdict in ${contended}, where other processes saturated the machine`] : []),
  ];
  const verdict = `${notMet > 0 ? '**Not met**' : '**No verdict**'}: of ${total} case${total === 1 ? '' : 's'}, ${parts.join(', ')} (${range}, ${needed.toFixed(2)}× asked).`;
  return [...lines, `${verdict}${describeMissedRuns(missed, workers)}`].join('\n');
}

/** Returns the "met" cell of one scaling row: no verdict on a quick run or on a miss where the machine was saturated. */
function scalingVerdict(quick: boolean, met: boolean, saturatedRun: boolean): string {
  if (quick) return '—';
  if (met) return 'yes';
  if (saturatedRun) return 'no verdict: saturated';
  return '**no**';
}

/** Returns true when this process and the others together kept at least SATURATED_SHARE of the cores busy. */
function saturated(run: MissedRun, workers: number): boolean {
  return run.others !== null && run.own + run.others >= SATURATED_SHARE * workers;
}

/**
 * Describes whether the runs that missed the scaling target had the cores
 * to scale (see saturated).
 */
function describeMissedRuns(missed: readonly MissedRun[], workers: number): string {
  if (missed.length === 0) return '';
  const own = missed.map((run) => run.own);
  const ownRange = `${Math.min(...own).toFixed(2)} to ${Math.max(...own).toFixed(2)} of ${workers} cores`;
  const known = missed.filter((run): run is { own: number; others: number } => run.others !== null);
  if (known.length < missed.length) return ` In the measured cases that missed, the process kept ${ownRange} busy; the CPU time of other processes is unknown here.`;

  const others = known.map((run) => run.others);
  const othersRange = `${Math.min(...others).toFixed(2)} to ${Math.max(...others).toFixed(2)}`;
  const contended = known.filter((run) => saturated(run, workers)).length;
  const facts = ` In the measured cases that missed, the process kept ${ownRange} busy and other processes ${othersRange} cores.`;
  if (contended === missed.length) {
    return `${facts} The machine was saturated in all of them, so they measure contention with other processes, not the backend's scaling; a run on an idle machine is needed for a verdict on them.`;
  }
  if (contended === 0) return `${facts} The machine had idle cores in all of them, so the workers themselves left cores unused.`;
  return `${facts} The machine was saturated in ${contended} of them and had idle cores in ${missed.length - contended}.`;
}

/** Formats tokens per second in millions, to three significant digits. */
function formatRate(tokensPerSecond: number): string {
  return `${(tokensPerSecond / 1e6).toPrecision(3)} M`;
}

function formatPercent(share: number): string {
  return `${(100 * share).toFixed(share < 0.1 ? 1 : 0)}%`;
}
