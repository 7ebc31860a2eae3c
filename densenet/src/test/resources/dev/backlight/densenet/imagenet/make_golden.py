#!/usr/bin/python3
"""Golden outputs for ImageNetPreprocessorTest, made with torchvision and Pillow.

Run with Debian's interpreter, which has the reference packages:

    apt-get install -y --no-install-recommends python3-torch python3-torchvision
    /usr/bin/python3 densenet/src/test/resources/dev/backlight/densenet/imagenet/make_golden.py

(written against torch 1.13, torchvision 0.14.1, Pillow 9.4, numpy 1.24 from Debian bookworm).
The test data folder defaults to testdata/ at the root of the repository; pass another as the
first argument. Everything is written to golden/ next to this script:

  inputs/lion_300x200.png, inputs/lion_180x250.png
      lossless crops of images/lion.jpg as decoded by Pillow, so that Java reads exactly the
      pixels Pillow resized (both sides upscaled; the second one portrait).
  <name>.crop.png
      Pillow's 8-bit result of Resize(256) + CenterCrop(224) for each input, for a bit-exact check.
  normalize_table.npy
      float32 [3, 256]: what ToTensor + Normalize make of channel value v in channel c. The script
      checks that looking the crop up in this table reproduces torchvision's whole tensor bit for
      bit, so the test can rebuild torchvision's tensor for every input from the crop PNG.
  cat_dog.tensor.npy
      float32 [1, 3, 224, 224]: torchvision's full output for images/classic/cat_dog.png.

Pattern inputs are not stored: the test computes the same formula (see pattern()). The test's
no-resize case (a 256x300 pattern, only cropped) needs no golden: its expected pixels are the
pattern itself at torchvision's offsets.
"""
import sys
from pathlib import Path

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms as T

HERE = Path(__file__).resolve().parent
OUT = HERE / "golden"
SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parents[7] / "testdata"

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
RESIZE_AND_CROP = T.Compose([T.Resize(256), T.CenterCrop(224)])
TO_NORMALIZED_TENSOR = T.Compose([T.ToTensor(), T.Normalize(mean=MEAN, std=STD)])


def pattern(width, height):
    """A chirp, value (x*x + 2*y*y + x*y + 85*c) mod 256: ever finer stripes with sharp wraps,
    hard on both the antialiasing filter and the fixed-point rounding."""
    y, x = np.mgrid[0:height, 0:width].astype(np.int64)
    channels = [(x * x + 2 * y * y + x * y + 85 * c) % 256 for c in range(3)]
    return Image.fromarray(np.stack(channels, axis=-1).astype(np.uint8), "RGB")


def main():
    (OUT / "inputs").mkdir(parents=True, exist_ok=True)
    lion = Image.open(SHARED / "images" / "lion.jpg").convert("RGB")
    inputs = {
        "lion_300x200": lion.crop((500, 380, 800, 580)),
        "lion_180x250": lion.crop((560, 330, 740, 580)),
        "pattern_522x389": pattern(522, 389),  # down to 343x256: left = round(59.5) = 60
        "pattern_1000x700": pattern(1000, 700),  # down by 2.73: five-tap filters
        "cat_dog": Image.open(SHARED / "images" / "classic" / "cat_dog.png").convert("RGB"),
        "lion": lion,
        "grace_hopper": Image.open(SHARED / "images" / "grace_hopper.jpg").convert("RGB"),
    }
    for name in ("lion_300x200", "lion_180x250"):
        inputs[name].save(OUT / "inputs" / f"{name}.png", optimize=True)

    levels = np.arange(256, dtype=np.uint8)
    ramp = Image.fromarray(np.stack([levels] * 3, axis=-1)[None, :, :], "RGB")
    table = TO_NORMALIZED_TENSOR(ramp).numpy().reshape(3, 256)
    np.save(OUT / "normalize_table.npy", table.astype("<f4"))

    for name, image in inputs.items():
        crop = RESIZE_AND_CROP(image)
        crop.save(OUT / f"{name}.crop.png", optimize=True)
        tensor = TO_NORMALIZED_TENSOR(crop).numpy()
        pixels = np.asarray(crop).transpose(2, 0, 1)
        rebuilt = np.stack([table[c][pixels[c]] for c in range(3)])
        assert np.array_equal(tensor.view(np.uint32), rebuilt.view(np.uint32)), name
        if name == "cat_dog":
            whole = T.Compose([T.Resize(256), T.CenterCrop(224), TO_NORMALIZED_TENSOR])
            full = whole(image).unsqueeze(0).numpy()
            assert np.array_equal(full[0], tensor), name
            np.save(OUT / "cat_dog.tensor.npy", full.astype("<f4"))
        print(f"{name}: {image.size[0]}x{image.size[1]} -> crop {crop.size}")
    print("torch", torch.__version__, "torchvision", torchvision.__version__,
          "Pillow", Image.__version__, "numpy", np.__version__)


if __name__ == "__main__":
    main()
