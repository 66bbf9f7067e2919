/**
 * DistilBERT's distillation procedure (Sanh et al.; Hugging Face's research project distiller.py):
 * token masking with frequency smoothing and the triple loss.
 */
package dev.distil4j.train.distill;
