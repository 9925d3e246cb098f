import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/**
 * Seeded source of uniform and Gaussian numbers. xoroshiro128+ from pure-rand
 * works on 32-bit integers, and Box–Muller uses only Math.log, Math.sqrt and
 * Math.cos, so one seed gives the same sequence on every machine running the
 * same Node.js version.
 */
export class Random {
  private readonly generator: RandomGenerator;
  private spareNormal: number | undefined;

  constructor(readonly seed: number) {
    this.generator = xoroshiro128plus(seed | 0);
  }

  /** Uniform on [0, 1), a multiple of 2^-53. */
  uniform(): number {
    return uniformFloat64(this.generator);
  }

  /** Standard normal N(0, 1) by the Box–Muller transform. */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const value = this.spareNormal;
      this.spareNormal = undefined;
      return value;
    }
    const u1 = 1 - this.uniform(); // in (0, 1], so log(u1) is finite
    const u2 = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  normalVector(length: number): number[] {
    return Array.from({ length }, () => this.normal());
  }

  /** Integer uniform on [low, high], both included. */
  integer(low: number, high: number): number {
    return low + Math.floor(this.uniform() * (high - low + 1));
  }
}
