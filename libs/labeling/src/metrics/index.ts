/**
 * Agreement between annotators and scores against gold answers (SPEC §5; formulas, edge cases and
 * citations in docs/metrics.md). Pure functions over compact inputs, no I/O.
 */
export { cohensKappa, fleissKappa, type FleissItem } from './kappa';
export { krippendorffAlpha, type AlphaLevel, type AlphaValue } from './krippendorff';
export { boxF1, iou, microF1, spanF1, type F1Counts, type F1Score } from './f1';
export { kendallTau } from './ranking';
export {
  agreesWithMajorityOfOthers,
  CohensKappaAccumulator,
  FleissKappaAccumulator,
  IntervalAlphaAccumulator,
  NominalAlphaAccumulator,
  type IntervalUnitMoments,
  type LabelCounts,
} from './incremental';
export { GOLD_BOX_IOU, scoreAgainstGold, scoreTaskAgainstGold, type TaskGoldScore } from './gold';
export {
  agreementWithMajority,
  majorityLabel,
  median,
  type AnnotatorAgreement,
  type ChoiceAnswer,
} from './stats';
