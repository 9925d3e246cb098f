import { InputError } from '../core/errors.ts';
import { requirePositiveInteger } from '../core/validate.ts';

/** Linear warm-up to `peak`, then cosine decay to `peak · finalFraction` at the last step. */
export interface LearningRateSchedule {
  peak: number;
  warmupSteps: number;
  totalSteps: number;
  /** Learning rate at the last step as a fraction of the peak. */
  finalFraction: number;
}

export function validateSchedule(schedule: LearningRateSchedule): void {
  requirePositiveInteger('totalSteps', schedule.totalSteps);
  if (!(schedule.peak > 0) || !Number.isFinite(schedule.peak)) {
    throw new InputError('peak learning rate', 'is not a finite positive number', schedule.peak, 'pass a learning rate > 0');
  }
  if (!Number.isInteger(schedule.warmupSteps) || schedule.warmupSteps < 0 || schedule.warmupSteps >= schedule.totalSteps) {
    throw new InputError('warmupSteps', `is not an integer in [0, totalSteps = ${schedule.totalSteps})`, schedule.warmupSteps, 'pass fewer warm-up steps than total steps');
  }
  if (!(schedule.finalFraction >= 0 && schedule.finalFraction <= 1)) {
    throw new InputError('finalFraction', 'is outside [0, 1]', schedule.finalFraction, 'pass the final learning rate as a fraction of the peak');
  }
}

/** Learning rate at 0-based `step`: (step + 1)/warmup · peak during warm-up, then a cosine from peak to peak · finalFraction. */
export function learningRate(schedule: LearningRateSchedule, step: number): number {
  const { peak, warmupSteps, totalSteps, finalFraction } = schedule;
  if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  const span = Math.max(1, totalSteps - 1 - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / span);
  const floor = peak * finalFraction;
  return floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * progress));
}
