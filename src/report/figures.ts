import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Figure } from '../claims/types.ts';

/** Returns where a figure's SVG goes, relative to the report folder. */
export function figurePath(claimId: string, figure: Figure): string {
  return `figures/${claimId}-${figure.id}.svg`;
}

/**
 * Compiles a figure's Vega-Lite specification to Vega and renders it headless
 * to SVG. Without a canvas package, Vega estimates text widths, which moves
 * labels by a pixel or two but keeps the output the same for the same data.
 */
export async function renderFigureSvg(figure: Figure): Promise<string> {
  const { spec } = compile(figure.spec as unknown as TopLevelSpec);
  const view = new View(parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
