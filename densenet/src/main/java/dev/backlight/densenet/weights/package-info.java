/**
 * Reading DenseNet weights from files: {@link dev.backlight.densenet.weights.WeightsFiles#read}
 * finds the format from the bytes (safetensors, PyTorch {@code torch.save} zip and legacy
 * checkpoints through a restricted unpickler of our own, Keras {@code .h5}, {@code .weights.h5}
 * and {@code .keras} through jhdf) and returns {@link dev.backlight.densenet.weights.LoadedWeights}:
 * float32 tensors under torchvision's names, the class count and the batch-norm epsilon. Files are
 * untrusted: nothing in them is run, and every size is checked before it is used. See
 * {@code docs/WEIGHTS.md}.
 */
package dev.backlight.densenet.weights;
