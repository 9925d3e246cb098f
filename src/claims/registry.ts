import { claim as gla1 } from '../../proofs/GLA-1.ts';
import { claim as glaKey } from '../../proofs/GLA-key.ts';
import { claim as glaValue } from '../../proofs/GLA-value.ts';
import { claim as glaL } from '../../proofs/GLA-L.ts';
import { claim as riskClaim } from '../../proofs/RISK.ts';
import { claim as scale } from '../../proofs/SCALE.ts';
import { claim as pStar } from '../../proofs/P-STAR.ts';
import { claim as unique } from '../../proofs/UNIQUE.ts';
import { claim as curve } from '../../proofs/CURVE.ts';
import { claim as nonUnique } from '../../proofs/NONUNIQUE.ts';
import { claim as singleTask } from '../../proofs/SINGLE-TASK.ts';
import { claim as blockOpt } from '../../proofs/BLOCK-OPT.ts';
import { claim as order } from '../../proofs/ORDER.ts';
import { claim as scalarIff } from '../../proofs/SCALAR-IFF.ts';
import { claim as scalarCorr } from '../../proofs/SCALAR-CORR.ts';
import { claim as gateBeatsLinear } from '../../proofs/GATE-BEATS-LINEAR.ts';
import { claim as wScalar } from '../../proofs/W-SCALAR.ts';
import { claim as wVec } from '../../proofs/W-VEC.ts';
import { claim as keyVecIsotropic } from '../../proofs/KEY-VEC-ISOTROPIC.ts';
import { claim as trainedGla } from '../../proofs/TRAINED-GLA.ts';
import { claim as contentGates } from '../../proofs/CONTENT-GATES.ts';
import { claim as depth } from '../../proofs/DEPTH.ts';
import type { Claim } from './types.ts';

/** Every claim the toolkit encodes, in report order. */
export const CLAIMS: readonly Claim[] = [
  gla1,
  glaKey,
  glaValue,
  glaL,
  riskClaim,
  scale,
  pStar,
  unique,
  curve,
  nonUnique,
  singleTask,
  blockOpt,
  order,
  scalarIff,
  scalarCorr,
  gateBeatsLinear,
  wScalar,
  wVec,
  keyVecIsotropic,
  trainedGla,
  contentGates,
  depth,
];

