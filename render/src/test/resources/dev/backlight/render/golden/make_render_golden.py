"""Golden pictures for RenderGoldenTest, drawn by an implementation independent of Backlight's.

Writes map.npy (a seeded float32 map [1, 3, 16, 16]), base.png (a seeded 16x16 RGB picture) and
one PNG per style below. The rules (README "Pictures"): reduce the channels (sum; max-abs = the
value of largest magnitude, first channel on ties; l2), apply the sign (positive max(v,0),
negative max(-v,0), absolute |v|, signed v), divide by np.percentile(|v|, P) (linear) and clip to
[0,1] ([-1,1] signed); gray level = round(255 * t) with t = v, or (v+1)/2 when signed; heat-map
colour = the matplotlib colour map's entry round(255 * t) of 256, each channel round(255 * c);
overlay = round((1 - w) * base + w * colour) with w = alpha * |v|.
Run with NumPy, Pillow and matplotlib (Debian bookworm: numpy 1.24, Pillow 9.4, matplotlib 3.6):
    python3 make_render_golden.py
"""
import numpy as np
from matplotlib import colormaps
from PIL import Image

rng = np.random.default_rng(20240611)
ramp = np.linspace(0.05, 2.0, 16, dtype=np.float32)
m = (rng.standard_normal((1, 3, 16, 16)).astype(np.float32) * ramp[None, None, None, :]).astype(np.float32)
np.save("map.npy", m)
base = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
Image.fromarray(base, "RGB").save("base.png")


def reduce(x, how):
    x = x[0].astype(np.float64)
    if how == "sum":
        return x.sum(axis=0)
    if how == "l2":
        return np.sqrt((x * x).sum(axis=0))
    idx = np.argmax(np.abs(x), axis=0)
    return np.take_along_axis(x, idx[None], axis=0)[0]


def sign(v, s):
    return {"positive": np.maximum(v, 0), "negative": np.maximum(-v, 0), "absolute": np.abs(v), "signed": v}[s]


def normalise(m, how, s, p):
    v = sign(reduce(m, how), s)
    clip = np.percentile(np.abs(v).astype(np.float32), p)
    return np.clip(v / clip, -1 if s == "signed" else 0, 1)


def unit(v, s):
    return (v + 1) / 2 if s == "signed" else v


def colours(t, name):
    table = np.round(colormaps[name].resampled(256)(np.arange(256))[:, :3] * 255).astype(np.uint8)
    return table[np.round(np.clip(t, 0, 1) * 255).astype(int)]


def save(name, rgb):
    Image.fromarray(rgb.astype(np.uint8), "RGB").save(name + ".png")


def gray(name, how, s, p):
    t = unit(normalise(m, how, s, p), s)
    level = np.round(np.clip(t, 0, 1) * 255).astype(np.uint8)
    save(name, np.stack([level] * 3, axis=-1))


def heat(name, how, s, p, cmap):
    save(name, colours(unit(normalise(m, how, s, p), s), cmap))


def overlay(name, how, s, p, cmap, alpha):
    v = normalise(m, how, s, p)
    w = (alpha * np.minimum(1, np.abs(v)))[..., None]
    save(name, np.round((1 - w) * base + w * colours(unit(v, s), cmap)))


gray("gray_maxabs_absolute_p99.5", "max-abs", "absolute", 99.5)
gray("gray_sum_signed_p99.5", "sum", "signed", 99.5)
heat("heatmap_sum_positive_p99_inferno", "sum", "positive", 99, "inferno")
heat("heatmap_sum_signed_p100_coolwarm", "sum", "signed", 100, "coolwarm")
heat("heatmap_maxabs_negative_p95_viridis", "max-abs", "negative", 95, "viridis")
heat("heatmap_l2_absolute_p90_magma", "l2", "absolute", 90, "magma")
overlay("overlay_maxabs_absolute_p99.5_inferno_a0.6", "max-abs", "absolute", 99.5, "inferno", 0.6)
