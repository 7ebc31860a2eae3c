#!/usr/bin/python3
"""Golden outputs of Keras' DenseNet preprocessing for ImageNetPreprocessorKerasTest, made with Pillow.

    /usr/bin/python3 densenet/src/test/resources/dev/backlight/densenet/imagenet/make_keras_golden.py

(Pillow 9.4, numpy 1.24 from Debian bookworm; no Keras package exists there, so its two steps are
written out below from keras/src/utils/image_utils.py and keras/src/applications/imagenet_utils.py:)

  keras.utils.load_img(path, target_size=(224, 224))   # interpolation="nearest" by default
      img = PIL.Image.open(path).convert("RGB"); if img.size != (224, 224): img = img.resize((224, 224), NEAREST)
  keras.applications.densenet.preprocess_input(keras.utils.img_to_array(img))   # mode "torch"
      x = float32 array; x /= 255.; x[..., c] -= mean[c]; x[..., c] /= std[c]

Writes to golden/keras/:
  lion_300x200.png, lion_180x250.png
      the 224x224 images Keras resizes make_golden.py's lossless inputs (golden/inputs/*.png) to;
  nearest_indices.npy
      float32 [7, 2, 224]: for each size in SIZES, the source column (row 0) and row (row 1) that each
      output column and row takes, found by resizing images whose pixels are their own coordinates
      (mode "I", the same code path in Pillow as RGB);
  normalize_table.npy
      float32 [3, 256]: what preprocess_input makes of channel value v in channel c, in numpy's
      float32 arithmetic as Keras runs it; the script checks that the table reproduces the whole
      array of the first lion bit for bit.
"""
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
OUT = HERE / "golden" / "keras"
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def pattern(width, height):
    y, x = np.mgrid[0:height, 0:width].astype(np.int64)
    channels = [(x * x + 2 * y * y + x * y + 85 * c) % 256 for c in range(3)]
    return Image.fromarray(np.stack(channels, axis=-1).astype(np.uint8), "RGB")


def load_img(img, target=(224, 224)):
    img = img.convert("RGB")
    if img.size != target:
        img = img.resize(target, Image.NEAREST)
    return img


def preprocess_input(img):
    x = np.asarray(img, dtype="float32").copy()
    x /= 255.0
    for c in range(3):
        x[..., c] -= MEAN[c]
    for c in range(3):
        x[..., c] /= STD[c]
    return x


SIZES = [(300, 200), (180, 250), (522, 389), (1000, 700), (97, 61), (224, 224), (672, 224)]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name in ("lion_300x200", "lion_180x250"):
        load_img(Image.open(HERE / "golden" / "inputs" / f"{name}.png")).save(OUT / f"{name}.png", optimize=True)
    indices = np.zeros((len(SIZES), 2, 224), dtype="<f4")
    for i, (w, h) in enumerate(SIZES):
        columns = Image.fromarray(np.tile(np.arange(w, dtype=np.int32), (h, 1)), "I")
        rows = Image.fromarray(np.tile(np.arange(h, dtype=np.int32)[:, None], (1, w)), "I")
        indices[i, 0] = np.asarray(columns.resize((224, 224), Image.NEAREST))[0]
        indices[i, 1] = np.asarray(rows.resize((224, 224), Image.NEAREST))[:, 0]
        # The same mapping moves RGB pixels.
        rgb = load_img(pattern(w, h))
        expected = np.asarray(pattern(w, h))[indices[i, 1].astype(int)][:, indices[i, 0].astype(int)]
        assert np.array_equal(np.asarray(rgb), expected), (w, h)
    np.save(OUT / "nearest_indices.npy", indices)
    levels = np.stack([np.arange(256, dtype=np.uint8)] * 3, axis=-1)[None]  # a 1x256 RGB ramp
    table = preprocess_input(Image.fromarray(levels, "RGB"))[0].T  # [3, 256]
    np.save(OUT / "normalize_table.npy", np.ascontiguousarray(table, dtype="<f4"))
    lion = load_img(Image.open(HERE / "golden" / "inputs" / "lion_300x200.png"))
    x = preprocess_input(lion)
    pixels = np.asarray(lion)
    rebuilt = np.stack([table[c][pixels[..., c]] for c in range(3)], axis=-1)
    assert np.array_equal(x.view(np.uint32), rebuilt.view(np.uint32))
    print("sizes", SIZES, "Pillow", Image.__version__, "numpy", np.__version__)


if __name__ == "__main__":
    main()
