/* Whether a data set fits a model: its shape, label range and values,
 * checked once before training, evaluation or a baseline fit. */
#include "net/net.h"

int gn_check_dataset(const gemmnet_dataset *data, const gemmnet_model *m, gemmnet_error *err)
{
    if (!data || !m)
        return gn_fail(err, GEMMNET_E_INVALID, "a data set and a model are required");
    if (data->rows == 0 || !data->x || !data->y)
        return gn_fail(err, GEMMNET_E_INVALID, "the data set is empty");
    if (data->features != (size_t)m->width[0])
        return gn_fail(err, GEMMNET_E_SHAPE,
                       "the data has %zu features but the model takes %d inputs", data->features,
                       (int)m->width[0]);
    int32_t k = m->width[m->layers];
    for (size_t i = 0; i < data->rows; i++)
        if (data->y[i] < 0 || data->y[i] >= k)
            return gn_fail(err, GEMMNET_E_LABEL,
                           "row %zu: label %d is out of range, expected 0..%d", i + 1,
                           (int)data->y[i], (int)k - 1);
    return gn_check_rows_finite(data->x, data->rows, data->features, 0, err);
}
