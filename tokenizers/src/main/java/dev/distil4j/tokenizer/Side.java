package dev.distil4j.tokenizer;

/** Which end of the sequence padding is added to, or truncation removes from. */
public enum Side { LEFT, RIGHT }
