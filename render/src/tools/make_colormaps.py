"""Writes the colour-map tables of backlight-render (render/src/main/resources/dev/backlight/render/colormaps/).

Each table is 256 lines '#rrggbb', entry i being the map's colour at (i / 255), taken from
matplotlib's tables (Debian bookworm's python3-matplotlib 3.6):
  viridis, inferno, magma: by Nathaniel J. Smith, Stefan van der Walt and (viridis) Eric Firing,
      released under CC0 (public domain);
  coolwarm: Kenneth Moreland's diverging map ("Diverging Color Maps for Scientific Visualization", 2009).
Run: python3 make_colormaps.py ../main/resources/dev/backlight/render/colormaps
"""
import os
import sys

from matplotlib import colormaps

out = sys.argv[1]
for name in ("viridis", "inferno", "magma", "coolwarm"):
    cmap = colormaps[name].resampled(256)
    with open(os.path.join(out, name + ".txt"), "w", encoding="ascii", newline="\n") as f:
        for i in range(256):
            r, g, b, _ = cmap(i)
            f.write("#%02x%02x%02x\n" % (round(r * 255), round(g * 255), round(b * 255)))
