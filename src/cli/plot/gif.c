/* The GIF writer (giflib does the LZW coding and the file's blocks) and
 * the fixed palette's quantizer. */
#include "gif.h"

#include <gif_lib.h>
#include <stdlib.h>
#include <string.h>

/* ---- palette ---- */

static int exact_hash(uint32_t rgb)
{
    return (int)(((rgb * 2654435761u) >> 24) & 0xff);
}

/* The slot of rgb in the exact table, or of the empty slot it would take. */
static int exact_find(const gif_palette *p, uint32_t rgb)
{
    int slot = exact_hash(rgb);
    while (p->exact_slot[slot] >= 0 && p->rgb[p->exact_slot[slot]] != rgb)
        slot = (slot + 1) & 0xff;
    return slot;
}

static void add_entry(gif_palette *p, uint32_t rgb)
{
    if (p->count < GIF_TRANSPARENT)
        p->rgb[p->count++] = rgb;
}

void gif_palette_init(gif_palette *p, const uint32_t *exact, int n)
{
    memset(p, 0, sizeof *p);
    memset(p->exact_slot, 0xff, sizeof p->exact_slot);
    memset(p->nearest, 0xff, sizeof p->nearest);
    for (int i = 0; i < n && p->count < GIF_MAX_EXACT; i++) {
        uint32_t rgb = exact[i] & 0xffffff;
        int slot = exact_find(p, rgb);
        if (p->exact_slot[slot] >= 0)
            continue;
        p->exact_slot[slot] = (int16_t)p->count;
        add_entry(p, rgb);
    }
    p->exact = p->count;
    /* Greys: antialiased text and lines on white. */
    for (int g = 0; g < 16; g++) {
        uint32_t v = (uint32_t)(g * 255 / 15);
        add_entry(p, v << 16 | v << 8 | v);
    }
    /* The cube: everything else (blends of regions, points and plane). */
    for (int r = 0; r < 6; r++)
        for (int g = 0; g < 6; g++)
            for (int b = 0; b < 5; b++)
                add_entry(p, (uint32_t)(r * 51) << 16 | (uint32_t)(g * 51) << 8 |
                                 (uint32_t)(b * 255 / 4));
}

static int channel(uint32_t rgb, int shift)
{
    return (int)((rgb >> shift) & 0xff);
}

static int nearest_entry(const gif_palette *p, uint32_t rgb)
{
    int best = 0;
    long best_distance = -1;
    for (int i = 0; i < p->count; i++) {
        long dr = channel(rgb, 16) - channel(p->rgb[i], 16);
        long dg = channel(rgb, 8) - channel(p->rgb[i], 8);
        long db = channel(rgb, 0) - channel(p->rgb[i], 0);
        long d = 2 * dr * dr + 4 * dg * dg + 3 * db * db;
        if (best_distance < 0 || d < best_distance) {
            best = i;
            best_distance = d;
        }
    }
    return best;
}

uint8_t gif_palette_index(gif_palette *p, uint32_t rgb)
{
    rgb &= 0xffffff;
    int16_t at = p->exact_slot[exact_find(p, rgb)];
    if (at >= 0)
        return (uint8_t)at;
    /* The 15-bit bucket's centre stands for every colour in it. */
    int key = (channel(rgb, 16) >> 3) << 10 | (channel(rgb, 8) >> 3) << 5 | channel(rgb, 0) >> 3;
    if (p->nearest[key] < 0) {
        uint32_t centre = (uint32_t)((key >> 10) << 3 | 4) << 16 |
                          (uint32_t)(((key >> 5) & 31) << 3 | 4) << 8 |
                          (uint32_t)((key & 31) << 3 | 4);
        p->nearest[key] = (int16_t)nearest_entry(p, centre);
    }
    return (uint8_t)p->nearest[key];
}

void gif_quantize(gif_palette *p,
                  const unsigned char *pixels,
                  int stride,
                  int width,
                  int height,
                  uint8_t *indices)
{
    for (int j = 0; j < height; j++) {
        const uint32_t *row = (const uint32_t *)(const void *)(pixels + (size_t)j * (size_t)stride);
        uint8_t *out = indices + (size_t)j * (size_t)width;
        for (int i = 0; i < width; i++)
            out[i] = gif_palette_index(p, row[i]);
    }
}

/* ---- writer ---- */

struct gif_writer {
    GifFileType *gif;
    FILE *file;
    int width, height;
    int frames;
    bool failed;
    /* The frame on screen after the last one added, and one row of the
     * next rectangle. */
    uint8_t *shown;
    GifPixelType *line;
};

static int write_bytes(GifFileType *gif, const GifByteType *bytes, int length)
{
    gif_writer *w = gif->UserData;
    if (fwrite(bytes, 1, (size_t)length, w->file) != (size_t)length) {
        w->failed = true;
        return 0;
    }
    return length;
}

/* The NETSCAPE2.0 application extension: how often to play. */
static bool put_loop(GifFileType *gif, int loop)
{
    GifByteType count[3] = {1, (GifByteType)(loop & 0xff), (GifByteType)((loop >> 8) & 0xff)};
    return EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_OK &&
           EGifPutExtensionBlock(gif, 11, "NETSCAPE2.0") == GIF_OK &&
           EGifPutExtensionBlock(gif, 3, count) == GIF_OK && EGifPutExtensionTrailer(gif) == GIF_OK;
}

static bool put_screen(gif_writer *w, const gif_palette *p, int loop)
{
    GifColorType colours[GIF_COLOURS] = {{0, 0, 0}};
    for (int i = 0; i < p->count; i++)
        colours[i] =
            (GifColorType){(GifByteType)channel(p->rgb[i], 16), (GifByteType)channel(p->rgb[i], 8),
                           (GifByteType)channel(p->rgb[i], 0)};
    ColorMapObject *map = GifMakeMapObject(GIF_COLOURS, colours);
    if (!map)
        return false;
    EGifSetGifVersion(w->gif, true);
    bool ok = EGifPutScreenDesc(w->gif, w->width, w->height, 8, 0, map) == GIF_OK;
    GifFreeMapObject(map);
    return ok && (loop < 0 || put_loop(w->gif, loop > 0xffff ? 0xffff : loop));
}

gif_writer *gif_open(FILE *file, int width, int height, const gif_palette *p, int loop)
{
    gif_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    *w = (gif_writer){.file = file, .width = width, .height = height};
    w->shown = malloc((size_t)width * (size_t)height);
    w->line = malloc((size_t)width);
    int error = 0;
    w->gif = w->shown && w->line ? EGifOpen(w, write_bytes, &error) : NULL;
    if (!w->gif || !put_screen(w, p, loop)) {
        gif_close(w);
        return NULL;
    }
    return w;
}

/* The smallest rectangle holding every pixel where indices differs from
 * what is shown; false when nothing differs. */
static bool changed_box(const gif_writer *w, const uint8_t *indices, int box[4])
{
    int x0 = w->width, y0 = w->height, x1 = -1, y1 = -1;
    for (int j = 0; j < w->height; j++) {
        const uint8_t *a = indices + (size_t)j * (size_t)w->width;
        const uint8_t *b = w->shown + (size_t)j * (size_t)w->width;
        if (memcmp(a, b, (size_t)w->width) == 0)
            continue;
        int left = 0, right = w->width - 1;
        while (a[left] == b[left])
            left++;
        while (a[right] == b[right])
            right--;
        x0 = left < x0 ? left : x0;
        x1 = right > x1 ? right : x1;
        y0 = j < y0 ? j : y0;
        y1 = j;
    }
    box[0] = x0, box[1] = y0, box[2] = x1 - x0 + 1, box[3] = y1 - y0 + 1;
    return x1 >= 0;
}

static bool put_control(gif_writer *w, int delay, bool transparent)
{
    GraphicsControlBlock gcb = {.DisposalMode = DISPOSE_DO_NOT,
                                .DelayTime = delay,
                                .TransparentColor =
                                    transparent ? GIF_TRANSPARENT : NO_TRANSPARENT_COLOR};
    GifByteType bytes[4];
    size_t length = EGifGCBToExtension(&gcb, bytes);
    return EGifPutExtension(w->gif, GRAPHICS_EXT_FUNC_CODE, (int)length, bytes) == GIF_OK;
}

/* Writes box of indices: after the first frame, pixels already shown are
 * transparent, which LZW codes as long runs. */
static bool put_rectangle(gif_writer *w, const uint8_t *indices, const int box[4], bool first)
{
    if (EGifPutImageDesc(w->gif, box[0], box[1], box[2], box[3], false, NULL) != GIF_OK)
        return false;
    for (int j = box[1]; j < box[1] + box[3]; j++) {
        size_t row = (size_t)j * (size_t)w->width;
        for (int i = 0; i < box[2]; i++) {
            size_t at = row + (size_t)(box[0] + i);
            w->line[i] = !first && indices[at] == w->shown[at] ? GIF_TRANSPARENT : indices[at];
        }
        if (EGifPutLine(w->gif, w->line, box[2]) != GIF_OK)
            return false;
    }
    return true;
}

int gif_add_frame(gif_writer *w, const uint8_t *indices, int delay)
{
    bool first = w->frames == 0;
    int box[4] = {0, 0, w->width, w->height};
    /* An unchanged frame is one transparent pixel shown for delay. */
    bool changed = first || changed_box(w, indices, box);
    if (!changed) {
        box[0] = box[1] = 0;
        box[2] = box[3] = 1;
    }
    bool ok = put_control(w, delay, !first) && put_rectangle(w, indices, box, first);
    memcpy(w->shown, indices, (size_t)w->width * (size_t)w->height);
    w->frames++;
    if (!ok)
        w->failed = true;
    return ok && !w->failed ? 0 : -1;
}

int gif_frame_count(const gif_writer *w)
{
    return w->frames;
}

int gif_close(gif_writer *w)
{
    if (!w)
        return -1;
    int error = 0;
    bool ok = w->gif && EGifCloseFile(w->gif, &error) == GIF_OK && !w->failed;
    free(w->shown);
    free(w->line);
    free(w);
    return ok ? 0 : -1;
}
