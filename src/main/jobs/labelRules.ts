// What labelled photos a training run needs: the one home of the rule both trainers apply.
import { UserError } from '../../shared/errors'

export const MIN_PER_CLASS = 2

/** The labels with enough photos to train on, sorted; refuses (400) when fewer than two have. */
export function trainableClasses(perClass: Map<string, number>): string[] {
  const classes = [...perClass.keys()].filter((c) => perClass.get(c)! >= MIN_PER_CLASS).sort()
  if (classes.length < 2) throw new UserError(`label at least ${MIN_PER_CLASS} photos in each of at least 2 labels first`)
  return classes
}
