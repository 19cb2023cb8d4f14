/** What every question widget receives from the editor. */
export interface WidgetProps<Q> {
  question: Q;
  /** The question's current answer (absent: undefined). */
  value: unknown;
  /** A new answer (null: none); `coalesceKey` makes quick successive changes one undo step. */
  onAnswer: (answer: unknown, coalesceKey?: string) => void;
  readOnly: boolean;
  /** The id of the question's title, to name the widget's group. */
  labelledBy: string;
  /** The id of the question's error messages. */
  describedBy: string;
  invalid: boolean;
}
