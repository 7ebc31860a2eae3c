/**
 * Backlight on Apache Spark: {@link dev.backlight.spark.BacklightExplainer}, a Spark ML transformer
 * that explains every image of a DataFrame (as {@code spark.read().format("binaryFile")} reads a
 * folder), with one model per executor JVM ({@link dev.backlight.spark.ExecutorModels}) and bad
 * images as rows with an error, never failed tasks. Spark itself is {@code provided}: the
 * application's cluster brings it. See docs/SPARK.md.
 */
package dev.backlight.spark;
