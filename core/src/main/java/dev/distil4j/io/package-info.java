/**
 * What every reader of a model file shares: {@link dev.distil4j.io.JsonInput} (JSON with clear
 * errors, no trailing content, bounded size), {@link dev.distil4j.io.Inflation} (zip entries
 * inflated only as far as their format can need) and {@link dev.distil4j.io.InputLimits}, the
 * bounds themselves. Errors are thrown as the caller's own exception type, so a config file fails
 * with a {@code ConfigException} and a checkpoint with a {@code WeightsException}.
 */
package dev.distil4j.io;
