/* bench-results.json: the run's context, every result, the inference
 * timings, the targets with their verdicts and the re-run. */
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* A number, or null where JSON has none (NaN, Inf). */
static void json_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.6g", v);
    else
        fprintf(f, "null");
}

static void json_field(FILE *f, const char *indent, const char *name, double v, bool last)
{
    fprintf(f, "%s\"%s\": ", indent, name);
    json_number(f, v);
    fprintf(f, last ? "\n" : ",\n");
}

static void json_timing(FILE *f, const char *indent, const char *prefix, const timing *t)
{
    char name[64];
    snprintf(name, sizeof name, "%s_s_per_epoch", prefix);
    json_field(f, indent, name, t->median, false);
    snprintf(name, sizeof name, "%s_s_min", prefix);
    json_field(f, indent, name, t->min, false);
    snprintf(name, sizeof name, "%s_s_max", prefix);
    json_field(f, indent, name, t->max, false);
    snprintf(name, sizeof name, "%s_samples", prefix);
    json_field(f, indent, name, t->samples, false);
    snprintf(name, sizeof name, "%s_epochs_per_sample", prefix);
    json_field(f, indent, name, t->epochs_per_sample, false);
}

static void json_stages(FILE *f, const result *r)
{
    const char *in = "        ";
    const double *s = r->stage_s, *g = r->stage_sgemm_s;
    fprintf(f, "      \"stages_in_situ_s\": {\n");
    json_field(f, in, "epoch", r->insitu_epoch_s, false);
    json_field(f, in, "forward", s[STAGE_FORWARD], false);
    json_field(f, in, "forward_sgemm", g[STAGE_FORWARD], false);
    json_field(f, in, "backward", s[STAGE_BACKWARD], false);
    json_field(f, in, "backward_sgemm", g[STAGE_BACKWARD], false);
    json_field(f, in, "rest", s[STAGE_OTHER], false);
    json_field(f, in, "rest_sgemm", g[STAGE_OTHER], true);
    fprintf(f, "      },\n");
}

static void json_shapes(FILE *f, const result *r)
{
    fprintf(f, "      \"sgemm_shapes\": [");
    for (size_t j = 0; j < r->shape_count; j++) {
        const shape_stats *s = &r->shapes[j];
        double calls = r->shape_calls_per_epoch[j];
        fprintf(f,
                "%s\n        {\"trans_a\": %s, \"trans_b\": %s, \"m\": %zu, \"n\": %zu, "
                "\"k\": %zu, \"calls_per_epoch\": ",
                j ? "," : "", s->trans_a ? "true" : "false", s->trans_b ? "true" : "false", s->m,
                s->n, s->k);
        json_number(f, calls);
        fprintf(f, ", \"s_per_epoch\": ");
        json_number(f, s->seconds);
        fprintf(f, ", \"gflop_per_epoch\": ");
        json_number(f, s->flops / 1e9);
        fprintf(f, ", \"gflops\": ");
        json_number(f, s->flops / s->seconds / 1e9);
        fprintf(f, "}");
    }
    fprintf(f, "%s],\n", r->shape_count ? "\n      " : "");
}

static void json_result(FILE *f, const result *r, bool last)
{
    const char *in = "      ";
    char name[2] = {r->workload, '\0'};
    fprintf(f, "    {\n%s\"workload\": ", in);
    json_string(f, name);
    fprintf(f, ",\n%s\"backend\": ", in);
    json_string(f, gemmnet_blas_name());
    fprintf(f, ",\n%s\"kernel\": ", in);
    json_string(f, backend.kernel);
    fprintf(f, ",\n");
    json_field(f, in, "threads", r->threads, false);
    json_field(f, in, "threads_effective", r->threads_effective, false);
    json_field(f, in, "row_workers", r->workers, false);
    json_field(f, in, "N", (double)r->rows, false);
    json_field(f, in, "D", r->features, false);
    json_field(f, in, "H", r->hidden, false);
    json_field(f, in, "K", r->classes, false);
    json_field(f, in, "block_rows", (double)r->block_rows, false);
    json_field(f, in, "learning_rate", r->learning_rate, false);
    json_timing(f, in, "engine", &r->engine);
    json_field(f, in, "train_call_overhead_s", r->train_call_overhead_s, false);
    json_timing(f, in, "naive", &r->naive);
    json_field(f, in, "speedup_vs_naive", r->naive.median / r->engine.median, false);
    json_field(f, in, "gemm_gflop_per_epoch", r->gemm_flops / 1e9, false);
    json_field(f, in, "engine_gemm_gflops", r->gemm_flops / r->engine.median / 1e9, false);
    json_field(f, in, "sgemm_ceiling_gflops", r->ceiling_gflops, false);
    json_field(f, in, "ceiling_share", 1.0 / ceiling_ratio(r), false);
    json_field(f, in, "epoch_over_ceiling_gemm_time", ceiling_ratio(r), false);
    json_field(f, in, "sgemm_replay_s_per_epoch", r->replay_all.min, false);
    json_field(f, in, "sgemm_replay_s_per_epoch_median", r->replay_all.median, false);
    json_field(f, in, "sgemm_share_replay", sgemm_share_replay(r), false);
    json_field(f, in, "sgemm_in_situ_s_per_epoch", r->insitu_sgemm_s, false);
    json_field(f, in, "sgemm_share", sgemm_share(r), false);
    json_field(f, in, "sgemm_calls_per_epoch", (double)r->sgemm_calls_per_epoch, false);
    json_stages(f, r);
    json_shapes(f, r);
    json_field(f, in, "loss_before", r->loss_before, false);
    json_field(f, in, "loss_after", r->loss_after, true);
    fprintf(f, "    }%s\n", last ? "" : ",");
}

static void json_header(FILE *f, const run_info *info)
{
    const char *coretype = getenv("OPENBLAS_CORETYPE");
    fprintf(f, "{\n  \"bench\": \"gemmnet epoch benchmark\",\n  \"gemmnet_version\": ");
    json_string(f, GEMMNET_VERSION);
    fprintf(f, ",\n  \"date\": ");
    json_string(f, info->date);
    fprintf(f, ",\n  \"cpu\": ");
    json_string(f, info->cpu);
    fprintf(f, ",\n  \"logical_cpus\": %ld,\n  \"compiler\": ", sysconf(_SC_NPROCESSORS_ONLN));
    json_string(f, __VERSION__);
    fprintf(f, ",\n  \"backend\": ");
    json_string(f, gemmnet_blas_name());
    fprintf(f, ",\n  \"kernel\": ");
    json_string(f, backend.kernel);
    fprintf(f, ",\n  \"kernel_source\": ");
    json_string(f, backend.kernel_source);
    fprintf(f, ",\n  \"backend_version\": ");
    json_string(f, backend.version);
    fprintf(f, ",\n  \"blas_library\": ");
    json_string(f, backend.library);
    fprintf(f, ",\n  \"backend_warning\": ");
    json_string(f, backend.warning);
    fprintf(f, ",\n  \"openblas_coretype\": ");
    if (coretype)
        json_string(f, coretype);
    else
        fprintf(f, "null");
    fprintf(f, ",\n  \"quick\": %s,\n", info->options->quick ? "true" : "false");
    json_field(f, "  ", "clock_read_s", info->clock_read_s, false);
    json_field(f, "  ", "load_average_before", info->load_before, false);
    json_field(f, "  ", "other_processes_cpu_share", info->other_cpu_share, false);
    json_field(f, "  ", "other_processes_cpu_share_normal_priority", info->other_cpu_share_normal,
               false);
    json_field(f, "  ", "hypervisor_steal_share", info->steal_share, false);
    fprintf(f, "  \"sgemm_ceiling\": [");
    for (int i = 0; i < info->ceiling_count; i++) {
        fprintf(f, "%s\n    {\"threads\": %d, \"size\": %d, \"gflops\": ", i ? "," : "",
                info->ceiling_threads[i], CEILING_SIZE);
        json_number(f, info->ceiling_gflops[i]);
        fprintf(f, ", \"s_min\": ");
        json_number(f, info->ceiling[i].min);
        fprintf(f, ", \"s_max\": ");
        json_number(f, info->ceiling[i].max);
        fprintf(f, ", \"samples\": %d}", info->ceiling[i].samples);
    }
    fprintf(f, "\n  ],\n");
}

static void json_targets(FILE *f, const target *targets, size_t count)
{
    fprintf(f, "  \"targets\": [");
    for (size_t i = 0; i < count; i++) {
        fprintf(f, "%s\n    {\"target\": ", i ? "," : "");
        json_string(f, targets[i].label);
        fprintf(f, ", \"unit\": ");
        json_string(f, targets[i].unit);
        fprintf(f, ", \"measured\": ");
        json_number(f, targets[i].measured);
        fprintf(f, ", \"threshold\": ");
        json_number(f, targets[i].threshold);
        fprintf(f, ", \"basis\": ");
        json_string(f, targets[i].basis);
        fprintf(f, ", \"pass\": %s}",
                targets[i].measured <= targets[i].threshold ? "true" : "false");
    }
    fprintf(f, "\n  ],\n");
}

static void json_own_kernel(FILE *f, const own_kernel_run *run)
{
    fprintf(f, "  \"without_openblas_coretype\": ");
    if (!run->done) {
        fprintf(f, "null\n");
        return;
    }
    fprintf(f, "{\n    \"kernel\": ");
    json_string(f, run->kernel);
    fprintf(f, ",\n    \"quick\": true,\n    \"results\": [");
    for (size_t i = 0; i < run->count; i++) {
        const own_kernel_row *row = &run->rows[i];
        fprintf(f, "%s\n      {\"workload\": \"%c\", \"threads\": %d, \"engine_s_per_epoch\": ",
                i ? "," : "", row->workload, row->threads);
        json_number(f, row->engine_s);
        fprintf(f, ", \"sgemm_ceiling_gflops\": ");
        json_number(f, row->ceiling_gflops);
        fprintf(f, "}");
    }
    fprintf(f, "\n    ]\n  }\n");
}

static void json_inference(FILE *f, const inference_result *inference, size_t count)
{
    fprintf(f, "  \"inference\": [");
    for (size_t i = 0; i < count; i++) {
        const inference_result *r = &inference[i];
        fprintf(f, "%s\n    {\"net\": ", i ? "," : "");
        json_string(f, r->net);
        fprintf(f, ", \"row_s\": ");
        json_number(f, r->row_s);
        fprintf(f, ", \"sgemv_floor_s\": ");
        json_number(f, r->sgemv_s);
        fprintf(f, ", \"sgemm_floor_s\": ");
        json_number(f, r->sgemm_s);
        fprintf(f, ", \"batch_rows\": %zu, \"rows_per_s\": [", r->batch_rows);
        for (int t = 0; t < r->thread_count; t++) {
            fprintf(f, "%s{\"threads\": %d, \"rows_per_s\": ", t ? ", " : "", r->threads[t]);
            json_number(f, r->rows_per_s[t]);
            fprintf(f, "}");
        }
        fprintf(f, "]}");
    }
    fprintf(f, "%s],\n", count ? "\n  " : "");
}

bool write_json(const char *path,
                const run_info *info,
                const result *results,
                size_t count,
                const inference_result *inference,
                size_t inference_count,
                const target *targets,
                size_t target_count,
                const own_kernel_run *own)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    json_header(f, info);
    fprintf(f, "  \"results\": [\n");
    for (size_t i = 0; i < count; i++)
        json_result(f, &results[i], i + 1 == count);
    fprintf(f, "  ],\n");
    json_inference(f, inference, inference_count);
    json_targets(f, targets, target_count);
    json_own_kernel(f, own);
    fprintf(f, "}\n");
    return fclose(f) == 0;
}
