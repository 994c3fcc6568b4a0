/* The closed-form ridge least-squares classifier, the counterpart of the
 * tutorial's logistic-regression baseline: `gemmnet baseline` prints its
 * accuracy, `gemmnet sweep` tabulates and draws it next to the networks.
 * Shared by both commands (baseline.c). */
#ifndef GEMMNET_CLI_BASELINE_H
#define GEMMNET_CLI_BASELINE_H

#include <gemmnet.h>

/* Fits the baseline to data with L2 strength l2 (not on the intercept)
 * and evaluates it on the same rows (mean cross-entropy, no L2 term). On
 * failure *model may hold a model all the same: the caller destroys it. */
int baseline_fit(const gemmnet_dataset *data,
                 float l2,
                 gemmnet_model **model /* OUT */,
                 gemmnet_evaluation *result /* OUT */,
                 gemmnet_error *err);

#endif
