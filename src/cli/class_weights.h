/* `gemmnet train --class-weight balanced|w0,w1,…`: the class weights of a
 * run, from the training labels or the list given. */
#ifndef GEMMNET_CLI_CLASS_WEIGHTS_H
#define GEMMNET_CLI_CLASS_WEIGHTS_H

#include "training_run.h"

/* Sets o->class_weights from r->args.class_weight (nothing when it was
 * not given): "balanced" is N/(K·count_k) over the training rows of all
 * processes (0 for a class without rows), a list must hold K finite
 * weights ≥ 0. The values live in r->args.class_weight_values. A bad
 * list sets err ("--class-weight: ...") and returns GEMMNET_E_INVALID. */
int cli_class_weights(run *r, gemmnet_train_options *o, gemmnet_error *err);

#endif
