// The vulnerability scorecard on the tablet: a JavaScript twin of keneya/social_rules/scorecard.py
// (score_answers), proven by the vectors in keneya/social_rules/vectors/scorecard.json
// (tests/js/scorecard.test.mjs). ES module, no dependency.
//
//   import { scoreAnswers } from '/static/pwa/engine/scorecard.js';
//   scoreAnswers(grid, {housing: 'banco', ...}, null)
//     -> {score, band, band_label_fr, breakdown: [{indicator, label_fr, option, option_label_fr, points}],
//         admis_de_droit}
//   A screening that cannot be scored throws a ScoringError whose `errors` maps a field
//   ('answers.<indicator>', 'admis_de_droit') to a French message, as Python does.

export class ScoringError extends Error {
  constructor(errors) {
    const text = Object.keys(errors).sort().map((k) => `${k}: ${errors[k]}`).join('; ');
    super(text);
    this.name = 'ScoringError';
    this.errors = errors;
  }
}

export function scoreRange(grid) {
  let low = 0;
  let high = 0;
  for (const indicator of grid.indicators) {
    const points = indicator.options.map((o) => o.points);
    low += Math.min(...points);
    high += Math.max(...points);
  }
  return [low, high];
}

export function scoreAnswers(grid, answers, admisDeDroit = null) {
  if (answers === null || typeof answers !== 'object' || Array.isArray(answers)) {
    throw new ScoringError({ answers: 'réponses attendues sous la forme {indicateur: option}' });
  }
  const indicators = new Map(grid.indicators.map((i) => [i.code, i]));
  const errors = {};
  for (const code of Object.keys(answers)) {
    if (!indicators.has(code)) errors[`answers.${code}`] = 'indicateur inconnu de cette grille';
  }
  const breakdown = [];
  let total = 0;
  for (const [code, indicator] of indicators) {
    const chosen = answers[code];
    if (chosen === undefined || chosen === null || chosen === '') {
      errors[`answers.${code}`] = 'réponse manquante';
      continue;
    }
    const option = indicator.options.find((o) => o.code === chosen);
    if (option === undefined) {
      errors[`answers.${code}`] = `option inconnue : ${String(chosen).slice(0, 40)}`;
      continue;
    }
    total += option.points;
    breakdown.push({
      indicator: code,
      label_fr: indicator.label_fr ?? code,
      option: option.code,
      option_label_fr: option.label_fr ?? option.code,
      points: option.points,
    });
  }
  const categories = new Set((grid.admis_de_droit || []).map((c) => c.code));
  if (admisDeDroit !== null && admisDeDroit !== undefined && admisDeDroit !== '' && !categories.has(admisDeDroit)) {
    errors.admis_de_droit = "catégorie d'admis de droit inconnue";
  }
  if (Object.keys(errors).length) throw new ScoringError(errors);
  const band = admisDeDroit
    ? grid.bands.find((b) => b.code === grid.admis_de_droit_band)
    : grid.bands.find((b) => b.min <= total && total <= b.max);
  return {
    score: total,
    band: band.code,
    band_label_fr: band.label_fr,
    breakdown,
    admis_de_droit: admisDeDroit || null,
  };
}
