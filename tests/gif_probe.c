/* Reads a GIF with giflib's decoder and prints what the animate tests
 * check, composing each frame onto the previous ones as a viewer does
 * (disposal "do not dispose", transparent pixels keep what is there):
 *
 *   gif_probe FILE.gif               size W H, frames N, loop L (−1: no
 *                                    loop extension), palette RRGGBB...,
 *                                    then "frame I delay D hash H" per frame
 *                                    (H: FNV-1a of the composed RGB pixels)
 *   gif_probe FILE.gif count RRGGBB  per frame, the composed pixels of
 *                                    exactly that colour
 *   gif_probe FILE.gif png I OUT.png frame I composed, as a PNG
 *
 * Exit status 1 with a message if giflib cannot read the file. */
#include <cairo.h>
#include <gif_lib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int loop_count(const GifFileType *gif)
{
    const SavedImage *first = gif->ImageCount ? &gif->SavedImages[0] : NULL;
    for (int i = 0; first && i + 1 < first->ExtensionBlockCount; i++) {
        const ExtensionBlock *e = &first->ExtensionBlocks[i];
        if (e->Function == APPLICATION_EXT_FUNC_CODE && e->ByteCount == 11 &&
            memcmp(e->Bytes, "NETSCAPE2.0", 11) == 0 && e[1].ByteCount >= 3)
            return e[1].Bytes[1] | e[1].Bytes[2] << 8;
    }
    return -1;
}

/* Draws frame f onto rgb[W×H] (0xRRGGBB). */
static void compose(const GifFileType *gif, int f, uint32_t *rgb)
{
    const SavedImage *s = &gif->SavedImages[f];
    const ColorMapObject *map = s->ImageDesc.ColorMap ? s->ImageDesc.ColorMap : gif->SColorMap;
    GraphicsControlBlock gcb = {.TransparentColor = NO_TRANSPARENT_COLOR};
    DGifSavedExtensionToGCB((GifFileType *)gif, f, &gcb);
    const GifImageDesc *d = &s->ImageDesc;
    for (int j = 0; j < d->Height; j++)
        for (int i = 0; i < d->Width; i++) {
            int index = s->RasterBits[(size_t)j * (size_t)d->Width + (size_t)i];
            if (index == gcb.TransparentColor || index >= map->ColorCount)
                continue;
            GifColorType c = map->Colors[index];
            rgb[(size_t)(d->Top + j) * (size_t)gif->SWidth + (size_t)(d->Left + i)] =
                (uint32_t)c.Red << 16 | (uint32_t)c.Green << 8 | c.Blue;
        }
}

static uint32_t fnv(const uint32_t *rgb, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        for (int shift = 16; shift >= 0; shift -= 8)
            h = (h ^ ((rgb[i] >> shift) & 0xff)) * 16777619u;
    return h;
}

static int write_png(const uint32_t *rgb, int w, int h, const char *path)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    unsigned char *data = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    for (int j = 0; j < h; j++)
        memcpy(data + (size_t)j * (size_t)stride, rgb + (size_t)j * (size_t)w, (size_t)w * 4);
    cairo_surface_mark_dirty(s);
    int status = cairo_surface_write_to_png(s, path) == CAIRO_STATUS_SUCCESS ? 0 : 1;
    cairo_surface_destroy(s);
    return status;
}

static void print_summary(const GifFileType *gif)
{
    printf("size %d %d\nframes %d\nloop %d\npalette", gif->SWidth, gif->SHeight, gif->ImageCount,
           loop_count(gif));
    for (int i = 0; gif->SColorMap && i < gif->SColorMap->ColorCount; i++) {
        GifColorType c = gif->SColorMap->Colors[i];
        printf(" %02x%02x%02x", c.Red, c.Green, c.Blue);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    int error = 0;
    GifFileType *gif = argc >= 2 ? DGifOpenFileName(argv[1], &error) : NULL;
    if (!gif || DGifSlurp(gif) != GIF_OK) {
        fprintf(stderr, "gif_probe: %s: %s\n", argc >= 2 ? argv[1] : "(no file)",
                GifErrorString(gif ? gif->Error : error));
        return 1;
    }
    size_t n = (size_t)gif->SWidth * (size_t)gif->SHeight;
    uint32_t *rgb = calloc(n, sizeof *rgb), colour = 0;
    bool count = argc == 4 && strcmp(argv[2], "count") == 0;
    int png = argc == 5 && strcmp(argv[2], "png") == 0 ? atoi(argv[3]) : -1;
    if (count)
        colour = (uint32_t)strtoul(argv[3], NULL, 16);
    if (!count && png < 0)
        print_summary(gif);
    int status = 0;
    for (int f = 0; f < gif->ImageCount; f++) {
        compose(gif, f, rgb);
        GraphicsControlBlock gcb = {0};
        DGifSavedExtensionToGCB(gif, f, &gcb);
        size_t same = 0;
        for (size_t i = 0; count && i < n; i++)
            same += rgb[i] == colour;
        if (count)
            printf("frame %d count %zu\n", f, same);
        else if (png == f)
            status = write_png(rgb, gif->SWidth, gif->SHeight, argv[4]);
        else if (png < 0)
            printf("frame %d delay %d hash %08x\n", f, gcb.DelayTime, fnv(rgb, n));
    }
    free(rgb);
    DGifCloseFile(gif, &error);
    return status;
}
