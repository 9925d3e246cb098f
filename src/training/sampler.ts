import { InputError } from '../core/errors.ts';
import { PromptSampler } from '../data/sample.ts';
import type { Random } from '../data/random.ts';
import type { Task } from '../theory/risk.ts';
import { delimitedLayout, writeTokens, type DelimitedLayout } from './layout.ts';

/**
 * Draws block-model prompts as delimited token matrices. The prompt itself
 * (X, y, x and the query label) comes from PromptSampler, so training and test
 * prompts follow exactly the multitask model the closed-form risks describe.
 * `prompt` exposes its buffers for predictors that use X, y and x directly.
 */
export class DelimitedSampler {
  readonly layout: DelimitedLayout;
  readonly prompt: PromptSampler;
  /** Token matrix of the current prompt, T×D row-major. */
  readonly tokens: Float64Array;

  constructor(
    readonly task: Task,
    random: Random,
  ) {
    this.layout = blockLayout(task);
    this.prompt = new PromptSampler(task, random);
    this.tokens = new Float64Array(this.layout.T * this.layout.D);
  }

  /** Draws the next prompt and returns its query label (the regression target). */
  draw(): number {
    const prompt = this.prompt.draw();
    writeTokens(this.layout, prompt.X, prompt.y, prompt.x, this.tokens);
    return prompt.yQuery;
  }
}

/** Returns the delimited layout of a block-model task, and throws for a task without block structure. */
export function blockLayout(task: Task): DelimitedLayout {
  const blocks = task.correlation.blocks;
  if (!blocks) {
    throw new InputError('task', 'has no block structure', 'a general correlation matrix', 'build R with blockCorrelation(sizes, ρ) so delimiters can mark the blocks');
  }
  return delimitedLayout(task.d, blocks.sizes);
}
