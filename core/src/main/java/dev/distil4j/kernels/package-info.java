/**
 * The numeric kernels: a plain scalar reference ({@code ScalarKernels}) and a Panama Vector API
 * implementation ({@code VectorKernels}) behind {@link dev.distil4j.kernels.Kernels}, chosen once
 * per JVM, and {@link dev.distil4j.kernels.Compute}, which runs them on several threads.
 */
package dev.distil4j.kernels;
