// @ts-check
/**
 * The arrival shape of votes during a TV-driven evening: a warm-up, a plateau, a sharp rise when
 * the programme airs the consultation, a peak, a decay to a higher plateau than before, then the
 * end. Points are (fraction of the duration, fraction of the peak rate); the area under the
 * curve is 0.525 of peak × duration.
 */
const SHAPE = [
  [0, 0],
  [0.05, 0.2],
  [0.2, 0.2],
  [0.25, 1],
  [0.45, 1],
  [0.65, 0.4],
  [0.9, 0.4],
  [1, 0],
];

/** @param {{ target: number, duration: string }[]} stages */
const areaOf = (stages) => {
  let previous = 0;
  let area = 0;
  for (const stage of stages) {
    area += ((previous + stage.target) / 2) * Number.parseInt(stage.duration, 10);
    previous = stage.target;
  }
  return area;
};

/**
 * Stages of a ramping-arrival-rate (per second) that peak at `peak` and start at least `total`
 * iterations (the scenario ignores iterations beyond `total`).
 * @param {number} total @param {number} peak
 */
export const tvPeakStages = (total, peak) => {
  const area = SHAPE.slice(1).reduce((sum, [t, r], i) => sum + ((SHAPE[i][1] + r) / 2) * (t - SHAPE[i][0]), 0);
  const seconds = total / (peak * area);
  const stages = SHAPE.slice(1).map(([t, r], i) => ({
    target: Math.round(r * peak),
    duration: `${Math.max(1, Math.round((t - SHAPE[i][0]) * seconds))}s`,
  }));
  const missing = total - areaOf(stages);
  if (missing > 0) {
    const plateau = stages[5];
    plateau.duration = `${Number.parseInt(plateau.duration, 10) + Math.ceil(missing / Math.max(1, plateau.target))}s`;
  }
  return { stages, seconds: stages.reduce((sum, stage) => sum + Number.parseInt(stage.duration, 10), 0) };
};
