/* Classification metrics over a data set. */
#include "net/net.h"

#include <string.h>

GEMMNET_API int gemmnet_confusion_matrix(const gemmnet_model *model,
                                         gemmnet_workspace *workspace,
                                         const gemmnet_dataset *data,
                                         size_t *matrix,
                                         gemmnet_error *err)
{
    int status = gn_check_inference(model, workspace, data, 1, err);
    if (status == GEMMNET_OK && !matrix)
        status = gn_fail(err, GEMMNET_E_INVALID, "matrix must not be NULL");
    if (status == GEMMNET_OK)
        status = gn_check_dataset(data, model, err);
    if (status != GEMMNET_OK)
        return status;
    size_t k = (size_t)model->width[model->layers];
    memset(matrix, 0, k * k * sizeof *matrix);
    int32_t predicted[256];
    for (size_t r = 0; r < data->rows; r += 256) {
        size_t rows = data->rows - r < 256 ? data->rows - r : 256;
        gemmnet_error detail = {0};
        status = gemmnet_predict(model, workspace, data->x + r * data->features, rows, predicted,
                                 &detail);
        if (status != GEMMNET_OK)
            return gn_fail(err, status, "rows %zu..%zu: %s", r + 1, r + rows, detail.message);
        for (size_t i = 0; i < rows; i++)
            matrix[(size_t)data->y[r + i] * k + (size_t)predicted[i]]++;
    }
    return GEMMNET_OK;
}
