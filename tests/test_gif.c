/* The GIF writer and quantizer (src/cli/gif.c) against giflib's decoder:
 * exact colours keep their own palette entries, other colours go to the
 * nearest entry (checked by brute force here), and frames written as
 * changed rectangles with transparent unchanged pixels compose back, in a
 * viewer's way, into exactly the frames given; loop extension, delays,
 * identical bytes for identical frames. Built only with giflib. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gif_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot/gif.h"

enum { W = 16, H = 8 };

static const uint32_t class_colours[] = {0x1f77b4, 0xff7f0e, 0xbcd6e9, 0x1f77b4, 0xffd9b7};

static void exact_colours_keep_their_entries(void **state)
{
    (void)state;
    static gif_palette p;
    gif_palette_init(&p, class_colours, 5);
    /* The duplicate 0x1f77b4 is dropped: 4 exact entries, in order. */
    assert_int_equal(p.exact, 4);
    assert_int_equal(p.rgb[0], 0x1f77b4);
    assert_int_equal(p.rgb[3], 0xffd9b7);
    assert_true(p.count <= GIF_TRANSPARENT);
    for (int i = 0; i < 5; i++)
        assert_int_equal(p.rgb[gif_palette_index(&p, class_colours[i])], class_colours[i]);
    /* Pure white and black are in the grey ramp. */
    assert_int_equal(p.rgb[gif_palette_index(&p, 0xffffff)], 0xffffff);
    assert_int_equal(p.rgb[gif_palette_index(&p, 0x000000)], 0x000000);
}

static long distance(uint32_t a, uint32_t b)
{
    long dr = (long)((a >> 16) & 0xff) - (long)((b >> 16) & 0xff);
    long dg = (long)((a >> 8) & 0xff) - (long)((b >> 8) & 0xff);
    long db = (long)(a & 0xff) - (long)(b & 0xff);
    return 2 * dr * dr + 4 * dg * dg + 3 * db * db;
}

static void other_colours_go_to_the_nearest_entry(void **state)
{
    (void)state;
    static gif_palette p;
    gif_palette_init(&p, class_colours, 5);
    uint32_t seed = 12345;
    for (int t = 0; t < 2000; t++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t rgb = (seed >> 8) & 0xffffff;
        uint8_t got = gif_palette_index(&p, rgb);
        /* The quantizer answers for the centre of rgb's 5-bit bucket. */
        uint32_t centre = (rgb & 0xf8f8f8) | 0x040404;
        for (int i = 0; i < p.count; i++)
            assert_true(distance(centre, p.rgb[got]) <= distance(centre, p.rgb[i]));
        assert_true(got < p.count);
    }
}

static void quantize_reads_cairo_rows(void **state)
{
    (void)state;
    static gif_palette p;
    gif_palette_init(&p, class_colours, 5);
    /* Two rows of 3 pixels, stride 16 bytes (one pixel of padding). */
    uint32_t pixels[8] = {0x1f77b4, 0xff7f0e, 0xffffff, 0xdeadbe,
                          0xffd9b7, 0xbcd6e9, 0x000000, 0xdeadbe};
    uint8_t out[6];
    gif_quantize(&p, (const unsigned char *)pixels, 16, 3, 2, out);
    uint32_t want[6] = {0x1f77b4, 0xff7f0e, 0xffffff, 0xffd9b7, 0xbcd6e9, 0x000000};
    for (int i = 0; i < 6; i++)
        assert_int_equal(p.rgb[out[i]], want[i]);
}

/* giflib's input callback: reads from the FILE in UserData. */
static int read_bytes(GifFileType *gif, GifByteType *bytes, int length)
{
    return (int)fread(bytes, 1, (size_t)length, (FILE *)gif->UserData);
}

static GifFileType *decode(FILE *file)
{
    rewind(file);
    int error = 0;
    GifFileType *gif = DGifOpen(file, read_bytes, &error);
    assert_non_null(gif);
    assert_int_equal(DGifSlurp(gif), GIF_OK);
    return gif;
}

/* Composes frame f onto shown[W×H] (palette indices), as a viewer does. */
static void compose(GifFileType *gif, int f, uint8_t *shown)
{
    GraphicsControlBlock gcb;
    assert_int_equal(DGifSavedExtensionToGCB(gif, f, &gcb), GIF_OK);
    assert_int_equal(gcb.DisposalMode, DISPOSE_DO_NOT);
    const SavedImage *s = &gif->SavedImages[f];
    const GifImageDesc *d = &s->ImageDesc;
    for (int j = 0; j < d->Height; j++)
        for (int i = 0; i < d->Width; i++) {
            uint8_t v = s->RasterBits[j * d->Width + i];
            if (v != gcb.TransparentColor)
                shown[(d->Top + j) * W + d->Left + i] = v;
        }
}

/* Four frames: a pattern, a 3×2 patch changed, the same again, another
 * pattern everywhere. */
static void make_frames(uint8_t frames[4][W * H])
{
    for (int i = 0; i < W * H; i++) {
        frames[0][i] = (uint8_t)(i % 5);
        frames[3][i] = (uint8_t)((i * 7) % 200);
    }
    memcpy(frames[1], frames[0], W * H);
    for (int j = 2; j < 4; j++)
        for (int i = 5; i < 8; i++)
            frames[1][j * W + i] = 9;
    memcpy(frames[2], frames[1], W * H);
}

static FILE *encode(uint8_t frames[4][W * H], int loop)
{
    static gif_palette p;
    gif_palette_init(&p, class_colours, 5);
    FILE *file = tmpfile();
    assert_non_null(file);
    gif_writer *w = gif_open(file, W, H, &p, loop);
    assert_non_null(w);
    for (int f = 0; f < 4; f++)
        assert_int_equal(gif_add_frame(w, frames[f], 10 + f), 0);
    assert_int_equal(gif_frame_count(w), 4);
    assert_int_equal(gif_close(w), 0);
    return file;
}

static void frames_compose_back_exactly(void **state)
{
    (void)state;
    static uint8_t frames[4][W * H], shown[W * H];
    make_frames(frames);
    FILE *file = encode(frames, 0);
    GifFileType *gif = decode(file);
    assert_int_equal(gif->SWidth, W);
    assert_int_equal(gif->SHeight, H);
    assert_int_equal(gif->ImageCount, 4);
    assert_int_equal(gif->SColorMap->ColorCount, 256);
    assert_int_equal(gif->SColorMap->Colors[0].Red, 0x1f);
    assert_int_equal(gif->SColorMap->Colors[0].Blue, 0xb4);
    for (int f = 0; f < 4; f++) {
        compose(gif, f, shown);
        assert_memory_equal(shown, frames[f], W * H);
        GraphicsControlBlock gcb;
        DGifSavedExtensionToGCB(gif, f, &gcb);
        assert_int_equal(gcb.DelayTime, 10 + f);
    }
    /* Frame 1 is just the changed patch, frame 2 one transparent pixel. */
    const GifImageDesc *d1 = &gif->SavedImages[1].ImageDesc, *d2 = &gif->SavedImages[2].ImageDesc;
    assert_int_equal(d1->Left, 5);
    assert_int_equal(d1->Top, 2);
    assert_int_equal(d1->Width, 3);
    assert_int_equal(d1->Height, 2);
    assert_int_equal(d2->Width * d2->Height, 1);
    assert_true(d2->Left < W && d2->Top < H);
    /* The loop extension: NETSCAPE2.0, sub-block 1, count 0 (forever). */
    const SavedImage *first = &gif->SavedImages[0];
    assert_true(first->ExtensionBlockCount >= 2);
    assert_int_equal(first->ExtensionBlocks[0].Function, APPLICATION_EXT_FUNC_CODE);
    assert_memory_equal(first->ExtensionBlocks[0].Bytes, "NETSCAPE2.0", 11);
    assert_int_equal(first->ExtensionBlocks[1].Bytes[0], 1);
    assert_int_equal(first->ExtensionBlocks[1].Bytes[1] | first->ExtensionBlocks[1].Bytes[2] << 8,
                     0);
    int error;
    DGifCloseFile(gif, &error);
    fclose(file);
}

static void same_frames_same_bytes_and_no_loop_once(void **state)
{
    (void)state;
    static uint8_t frames[4][W * H];
    make_frames(frames);
    FILE *a = encode(frames, 3), *b = encode(frames, 3), *once = encode(frames, -1);
    long size = ftell(a);
    assert_int_equal(size, ftell(b));
    char *x = malloc((size_t)size), *y = malloc((size_t)size);
    rewind(a);
    rewind(b);
    assert_int_equal(fread(x, 1, (size_t)size, a), size);
    assert_int_equal(fread(y, 1, (size_t)size, b), size);
    assert_memory_equal(x, y, (size_t)size);
    GifFileType *gif = decode(a);
    assert_int_equal(gif->SavedImages[0].ExtensionBlocks[1].Bytes[1], 3);
    int error;
    DGifCloseFile(gif, &error);
    gif = decode(once);
    /* Played once: only the graphics control block precedes frame 0. */
    assert_int_equal(gif->SavedImages[0].ExtensionBlockCount, 1);
    assert_int_equal(gif->SavedImages[0].ExtensionBlocks[0].Function, GRAPHICS_EXT_FUNC_CODE);
    DGifCloseFile(gif, &error);
    free(x);
    free(y);
    fclose(a);
    fclose(b);
    fclose(once);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_colours_keep_their_entries),
        cmocka_unit_test(other_colours_go_to_the_nearest_entry),
        cmocka_unit_test(quantize_reads_cairo_rows),
        cmocka_unit_test(frames_compose_back_exactly),
        cmocka_unit_test(same_frames_same_bytes_and_no_loop_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
