/**
 * ImageNet inputs and outputs for torchvision-trained models: {@link
 * dev.backlight.densenet.imagenet.ImageLoader} reads image files into RGB, {@link
 * dev.backlight.densenet.imagenet.ImageNetPreprocessor} turns them into the normalised tensor
 * torchvision's evaluation transform makes (bit for bit up to the decoder), and {@link
 * dev.backlight.densenet.imagenet.ImageNetLabels} names the 1000 classes.
 */
package dev.backlight.densenet.imagenet;
