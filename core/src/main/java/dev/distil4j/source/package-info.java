/**
 * Where models come from: {@link dev.distil4j.source.ModelSource} turns a {@code --model} spec into
 * a model directory, trying a local directory, the Hugging Face hub cache (shared with Python's
 * huggingface_hub, same layout), the hub itself (resumable, ETag-verified downloads) and Maven
 * (the user's settings.xml mirrors and local repository). Knows nothing about tensors beyond asking
 * {@link dev.distil4j.convert} to import a TensorFlow checkpoint jar once.
 */
package dev.distil4j.source;
