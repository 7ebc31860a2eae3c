/**
 * ImageNet inputs and outputs for torchvision- and Keras-trained models: {@link
 * dev.backlight.densenet.imagenet.ImageLoader} reads image files into RGB, {@link
 * dev.backlight.densenet.imagenet.ImageNetPreprocessor} turns them into the normalised tensor
 * torchvision's evaluation transform makes (bit for bit up to the decoder), or Keras' DenseNet
 * preprocessing ({@code keras()}), {@link dev.backlight.densenet.imagenet.ImageNetLabels} names the
 * 1000 classes, and {@link dev.backlight.densenet.imagenet.ClassLabels#read} reads the names of a
 * fine-tuned model's classes from a file.
 */
package dev.backlight.densenet.imagenet;
