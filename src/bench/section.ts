/** Settings that every benchmark section receives from the runner. */
export interface BenchContext {
  /** Small grid for tests: the page keeps its shape but measures only the smallest sizes. */
  readonly quick: boolean;
  /** Wall-clock limit of one measurement in seconds. A measurement that reaches it is stopped. */
  readonly maxSeconds: number;
  /** Writes one progress line, so that a run of several minutes shows where it is. */
  readonly log: (line: string) => void;
}

/** One section of the benchmark page, measured and rendered by its own module. */
export interface BenchSection {
  /** Name for `--section`. */
  readonly name: string;
  /** Heading of the section on the page. */
  readonly title: string;
  /** Runs the measurements and returns the section's markdown body, without its heading. */
  run(context: BenchContext): Promise<string>;
}
