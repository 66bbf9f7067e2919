package dev.distil4j.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.Callable;

/**
 * What every pipeline command (fill-mask, classify, embed, ner, qa) has: the shared input/output
 * options, picocli's view of the command (for its error stream), and the streams it reads records
 * from and writes results to (System.in/out, or given by tests).
 */
abstract class PipelineCommand implements Callable<Integer> {
    @Mixin
    IoOptions io;

    @Spec
    CommandSpec spec;

    final InputStream in;
    final OutputStream out;

    PipelineCommand(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
    }
}
