/* The ridge baseline fitted and evaluated on its own training rows: what
 * `gemmnet baseline` prints and `gemmnet sweep` tabulates and draws. */
#include "baseline.h"

int baseline_fit(const gemmnet_dataset *data,
                 float l2,
                 gemmnet_model **model,
                 gemmnet_evaluation *result,
                 gemmnet_error *err)
{
    gemmnet_workspace *ws = NULL;
    int status = gemmnet_baseline_ridge(data, l2, NULL, model, err);
    if (status == GEMMNET_OK)
        status = gemmnet_workspace_create(*model, NULL, &ws, err);
    if (status == GEMMNET_OK)
        status = gemmnet_evaluate(*model, ws, data, 0.0f, GEMMNET_REDUCTION_MEAN, result, NULL);
    gemmnet_workspace_destroy(ws);
    return status;
}
