/* Animated GIFs through giflib: a fixed 256-entry palette that holds a
 * picture's exact colours (the class colours, white, the greys of text and
 * axes) and fills the rest with a grey ramp and a colour cube, a quantizer
 * from cairo's RGB24 pixels to that palette, and a frame writer that
 * stores each frame as the rectangle that changed, with unchanged pixels
 * transparent, so that late frames of a converging run cost little. The
 * same frames give the same bytes. */
#ifndef GEMMNET_CLI_GIF_H
#define GEMMNET_CLI_GIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Palette indices 0..GIF_TRANSPARENT−1 are colours; GIF_TRANSPARENT marks
 * "unchanged since the previous frame". */
enum { GIF_COLOURS = 256, GIF_TRANSPARENT = 255, GIF_MAX_EXACT = 64 };

/* The palette and the quantizer's caches. */
typedef struct gif_palette {
    /* rgb[i] = 0xRRGGBB of index i, count of them used (≤ GIF_TRANSPARENT). */
    uint32_t rgb[GIF_COLOURS];
    int count;
    /* The exact colours: entries 0..exact−1, found by hash before any
     * nearest-colour search. */
    int exact;
    int16_t exact_slot[256];
    /* Nearest entry for each 15-bit colour (5 bits per channel), filled as
     * colours are met; −1 not yet. */
    int16_t nearest[1 << 15];
} gif_palette;

/* Builds the palette: exact[n] first (duplicates dropped, at most
 * GIF_MAX_EXACT), then 16 greys and a 6×6×5 colour cube. */
void gif_palette_init(gif_palette *p /* OUT */, const uint32_t *exact, int n);
/* Index of 0xRRGGBB: its own entry if it is an exact colour, else the
 * entry nearest (squared distance weighted 2:4:3, ties to the lower
 * index) to the centre of its bucket of 5 bits per channel. */
uint8_t gif_palette_index(gif_palette *p, uint32_t rgb);
/* indices[h×w] of an RGB24 image (rows stride bytes apart, pixels native
 * 32-bit words 0x00RRGGBB, as cairo stores them). */
void gif_quantize(gif_palette *p,
                  const unsigned char *pixels,
                  int stride,
                  int width,
                  int height,
                  uint8_t *indices /* OUT */);

/* A GIF being written. */
typedef struct gif_writer gif_writer;

/* Starts a width×height GIF89a on file with palette p: loop 0 repeats
 * forever, loop n > 0 plays n + 1 times, loop −1 plays once (no loop
 * extension). NULL when out of memory or giflib fails. */
gif_writer *gif_open(FILE *file, int width, int height, const gif_palette *p, int loop);
/* Appends a frame of palette indices[height×width] (no GIF_TRANSPARENT
 * among them) shown for delay hundredths of a second. Returns 0, or −1. */
int gif_add_frame(gif_writer *w, const uint8_t *indices, int delay);
/* Frames added so far. */
int gif_frame_count(const gif_writer *w);
/* Writes the trailer and frees w (not the file). Returns 0, or −1 if any
 * write failed. */
int gif_close(gif_writer *w);

#endif
